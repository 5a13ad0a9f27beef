//! {{name}}: a Predicator plugin written in `#![no_std]` Rust.
//!
//! Call a function:   predicator run --signature 'i32(i32, i32)' . add 2 3
//! Build the object:  predicator build . -o {{crate}}.o
//! Run the tests:     cargo test
//!
//! Export functions with `#[no_mangle] pub extern "C" fn`. Use `core` and `no_std` crates: a JIT-loaded plugin
//! has no allocator, no threads and no thread-locals. Objects carry no types, so callers pass the signature.

// The standard library is there for `cargo test` only; the plugin itself is no_std.
#![cfg_attr(not(test), no_std)]

/// Adds two numbers, wrapping on overflow.
#[no_mangle]
pub extern "C" fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// Sums `length` bytes at `data`; a null pointer sums to 0.
///
/// # Safety
///
/// `data` must be null or point to `length` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn checksum(data: *const u8, length: usize) -> u64 {
    if data.is_null() {
        return 0;
    }
    let bytes = unsafe { core::slice::from_raw_parts(data, length) };
    bytes.iter().map(|&byte| u64::from(byte)).sum()
}

/// Divides `a` by `b`. Dividing by zero panics, to show what a panic does in a plugin: the call ends with a
/// `PluginFaultException` of kind `PANIC` that carries the message, the plugin closes, and the host goes on.
#[no_mangle]
pub extern "C" fn divide(a: i32, b: i32) -> i32 {
    quotient(a, b)
}

/// The Rust side of `divide`, so that `cargo test` can check its panic: a panic cannot unwind out of an
/// `extern "C"` function, not even in a test.
fn quotient(a: i32, b: i32) -> i32 {
    if b == 0 {
        panic!("divide: {} / 0", a);
    }
    a.wrapping_div(b)
}

/// Hands a panic's message to the host, which ends the call with it: a plugin cannot unwind into Java, and the
/// usual `loop {}` would hang the calling thread forever.
#[cfg(not(test))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    use core::fmt::Write;

    /// Formats into a fixed buffer, cutting what does not fit: there is no allocator.
    struct Message {
        bytes: [u8; 512],
        length: usize,
    }

    impl Write for Message {
        fn write_str(&mut self, text: &str) -> core::fmt::Result {
            let count = text.len().min(self.bytes.len() - self.length);
            self.bytes[self.length..self.length + count].copy_from_slice(&text.as_bytes()[..count]);
            self.length += count;
            Ok(())
        }
    }

    extern "C" {
        /// Served by Predicator's runtime, whatever the resolver: ends the call with a `PANIC` fault.
        fn predicator_panic(message: *const u8, length: usize) -> !;
    }

    let mut message = Message { bytes: [0; 512], length: 0 };
    let _ = write!(message, "{}", info);
    unsafe { predicator_panic(message.bytes.as_ptr(), message.length) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds() {
        assert_eq!(add(2, 3), 5);
        assert_eq!(add(i32::MAX, 1), i32::MIN);
    }

    #[test]
    fn divides() {
        assert_eq!(divide(7, 2), 3);
        assert_eq!(divide(i32::MIN, -1), i32::MIN);
    }

    #[test]
    fn sums_bytes() {
        let data = [1u8, 2, 250];
        assert_eq!(unsafe { checksum(data.as_ptr(), data.len()) }, 253);
        assert_eq!(unsafe { checksum(core::ptr::null(), 4) }, 0);
    }

    #[test]
    #[should_panic(expected = "divide: 7 / 0")]
    fn dividing_by_zero_panics() {
        quotient(7, 0);
    }
}
