//! The one error every API method answers with: a closed `code` a screen can act on (generated
//! into the UI's TypeScript types), a message for the person that says what to do, and, where it
//! applies, the node, the JSON pointer and the compiler's diagnostics. No client ever matches the
//! message text to decide what happened.

use floe_blueprint::Diagnostic;
use floe_engine::runs::RunError;
use floe_engine::store::StoreError;
use floe_engine::workspace::WorkspaceError;
use schemars::JsonSchema;
use serde::Serialize;

/// What kind of failure, for the client to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request itself is wrong (a missing or mistyped argument, an unknown method).
    BadRequest,
    /// A path is not usable: outside the workspace, not `.json`, already taken.
    BadPath,
    /// Nothing by that name (file, run, approval).
    NotFound,
    /// The document cannot be read whole, so saving it would lose data; see `diagnostics`.
    Unreadable,
    /// The blueprint does not compile, so the run cannot start; see `diagnostics`.
    DoesNotCompile,
    /// A run input is missing or has the wrong type; `pointer` names it (`/inputs/<name>`).
    InvalidInput,
    /// A model the blueprint calls cannot be called now (no key, a local server not running, no
    /// default model); nothing ran. `unready` says which and what to do; the run can be started
    /// anyway with `no_check`.
    NotReady,
    /// The request does not fit the run's state (already finished, still running elsewhere,
    /// not running here).
    Conflict,
    /// Disk, database or another internal failure; the message says which.
    Internal,
}

impl ErrorCode {
    /// The HTTP status `floe serve` answers with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest | ErrorCode::BadPath => 400,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::Unreadable | ErrorCode::DoesNotCompile | ErrorCode::InvalidInput | ErrorCode::NotReady => 422,
            ErrorCode::Internal => 500,
        }
    }
}

/// A failed request.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// What happened and what to do.
    pub message: String,
    /// The node it concerns, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Where in the document (or the request) it is, as a JSON pointer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// The compiler's problems, for `unreadable` and `does_not_compile`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
    /// For `not_ready`: each model that cannot be called, and what to do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unready: Vec<floe_engine::ready::Unready>,
}

impl ApiError {
    /// An error of `code` with `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), node: None, pointer: None, diagnostics: Vec::new(), unready: Vec::new() }
    }

    /// The request is wrong.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    /// Nothing by that name.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// The request does not fit the run's state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// An internal failure.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    fn with_diagnostics(mut self, diagnostics: Vec<Diagnostic>) -> Self {
        // The first error names the node and the place, for clients that show one problem.
        if let Some(first) = diagnostics.iter().find(|d| d.is_error()) {
            self.node = first.node.clone();
            self.pointer = Some(first.pointer.clone());
        }
        self.diagnostics = diagnostics;
        self
    }
}

impl From<WorkspaceError> for ApiError {
    fn from(error: WorkspaceError) -> Self {
        let message = error.to_string();
        match error {
            WorkspaceError::Unreadable { diagnostics, .. } => {
                ApiError::new(ErrorCode::Unreadable, message).with_diagnostics(diagnostics)
            }
            WorkspaceError::Path(_) => ApiError::new(ErrorCode::BadPath, message),
            WorkspaceError::File(_) => ApiError::internal(message),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        let code = match error {
            StoreError::NoRun(_) => ErrorCode::NotFound,
            StoreError::Refused(_) => ErrorCode::Conflict,
            _ => ErrorCode::Internal,
        };
        ApiError::new(code, error.to_string())
    }
}

impl From<RunError> for ApiError {
    fn from(error: RunError) -> Self {
        let message = error.to_string();
        match error {
            RunError::Invalid { path, diagnostics } => ApiError::new(
                ErrorCode::DoesNotCompile,
                format!("{path} does not compile: fix the problems it lists, then run it again"),
            )
            .with_diagnostics(diagnostics),
            RunError::Start(floe_engine::run::StartError::Input { name, .. }) => {
                ApiError { pointer: Some(format!("/inputs/{name}")), ..ApiError::new(ErrorCode::InvalidInput, message) }
            }
            RunError::NotResumable { .. } => ApiError::conflict(message),
            RunError::NotReady { unready, .. } => ApiError {
                node: unready.first().and_then(|u| u.nodes.first().cloned()),
                unready,
                ..ApiError::new(ErrorCode::NotReady, message)
            },
            RunError::Store(store) => store.into(),
            RunError::File(floe_engine::files::FileError::Read { ref source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                ApiError::not_found(message)
            }
            RunError::File(_) | RunError::Start(_) => ApiError::internal(message),
        }
    }
}
