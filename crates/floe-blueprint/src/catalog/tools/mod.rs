//! The built-in tools, one file each.

use super::ToolSpec;

pub mod csv_read;
pub mod csv_write;
pub mod http_request;
pub mod json_query;
pub mod list_files;
pub mod read_file;
pub mod regex_extract;
pub mod sleep;
pub mod text_split;
pub mod text_template;
pub mod write_file;

/// Every built-in tool, sorted by name.
pub fn all() -> Vec<ToolSpec> {
    let mut tools = vec![
        csv_read::spec(),
        csv_write::spec(),
        http_request::spec(),
        json_query::spec(),
        list_files::spec(),
        read_file::spec(),
        regex_extract::spec(),
        sleep::spec(),
        text_split::spec(),
        text_template::spec(),
        write_file::spec(),
    ];
    tools.sort_by_key(|t| t.name);
    tools
}
