//! Canvas layout: positions, sizes, collapsed state and comments. Kept out of the logic so a
//! moved node never shows as a logic change, and ignored by the plan hash.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Everything the canvas remembers about how a graph looks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Node boxes by node id (bodies included).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub nodes: BTreeMap<String, NodeBox>,
    /// Sticky notes on the canvas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Comment>,
}

impl Layout {
    /// True when there is no layout at all.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.comments.is_empty()
    }
}

/// Where a node sits and how big it is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeBox {
    /// Left edge, canvas units.
    pub x: f64,
    /// Top edge, canvas units.
    pub y: f64,
    /// Width when resized (containers, comments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
    /// Height when resized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
    /// Shown folded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub collapsed: bool,
}

/// A sticky note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// Unique among comments.
    pub id: String,
    /// Markdown text.
    pub text: String,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
    /// Height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
    /// A CSS colour name or hex value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}
