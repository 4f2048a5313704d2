//! `text_template`: renders a minijinja template to text.

use floe_blueprint::catalog::tools::text_template::TextTemplateArgs;
use serde_json::Value;

use crate::exec::{NodeCtx, NodeError, output};
use crate::template::{Outputs, render_str};

pub(super) fn render(args: &TextTemplateArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let text = match render_str(&args.template, &ctx.context, "/config/args/template")? {
        Value::String(text) => text,
        Value::Null => String::new(),
        other => other.to_string(),
    };
    Ok(output("text", Value::String(text)))
}
