fn main() {
    let sum = wasm_rs_async_executor::block_on(release_check_app::pipeline(1000))
        .expect("the executor ran")
        .expect("the pipeline worked");
    assert_eq!(sum, 500_500);
    println!("release check: native pipeline sum = {sum}");
}
