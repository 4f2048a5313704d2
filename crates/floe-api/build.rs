// The examples are embedded (`include_dir!`); rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=../../blueprints");
}
