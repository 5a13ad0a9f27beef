//! The old crate's `simple_plugin` and `sample_plugin`, without its lang items, `main` stubs, nightly features,
//! `--emit=llvm-bc` and `opt -strip-debug`: `predicator run` builds and loads the crate as it is.
//!
//!   ./predicator run --signature 'void()' examples/simple_plugin simple_plugin
//!   ./predicator run --signature 'i32()' examples/simple_plugin calls
//!   ./predicator run --signature 'ptr()' examples/simple_plugin sample_plugin    (the greeting's address)
#![cfg_attr(not(test), no_std)]

use core::sync::atomic::{AtomicU32, Ordering};

static CALLS: AtomicU32 = AtomicU32::new(0);

/// Does nothing but count that it ran.
#[no_mangle]
pub extern "C" fn simple_plugin() {
    CALLS.fetch_add(1, Ordering::Relaxed);
}

/// How often `simple_plugin` ran since the plugin was loaded.
#[no_mangle]
pub extern "C" fn calls() -> u32 {
    CALLS.load(Ordering::Relaxed)
}

/// A NUL-terminated greeting that lives as long as the plugin.
#[no_mangle]
pub extern "C" fn sample_plugin() -> *const u8 {
    b"Hello, world from sample_plugin!\0".as_ptr()
}

#[cfg(not(test))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    extern "C" {
        fn predicator_panic(message: *const u8, length: usize) -> !;
    }
    let message = info.message().as_str().unwrap_or("simple_plugin panicked");
    unsafe { predicator_panic(message.as_ptr(), message.len()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_its_calls() {
        let before = calls();
        simple_plugin();
        assert_eq!(calls(), before + 1);
    }
}
