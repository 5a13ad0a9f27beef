//! A `#![no_std]` Rust plugin: no lang items, no build flags, no post-processing — the panic handler is the only
//! boilerplate.
//!
//!   ./predicator run --signature 'i32(ptr, i64)' examples/rust-nostd crc32 hello 5
//!   ./predicator run --signature 'i64(i64, i64, i64)' examples/rust-nostd mul_div 1000000000000 1000000000000 1000000
//!   ./predicator run --signature 'i32(i32, i32)' examples/rust-nostd percent 1 0      (panics: a PANIC fault, exit status 3)
#![cfg_attr(not(test), no_std)]

/// CRC-32 (IEEE) of `length` bytes at `data`, with a table built at compile time.
///
/// # Safety
///
/// `data` must point to `length` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn crc32(data: *const u8, length: usize) -> u32 {
    let bytes = if data.is_null() { &[][..] } else { unsafe { core::slice::from_raw_parts(data, length) } };
    crc32_of(bytes)
}

const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

fn crc32_of(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &byte| TABLE[((crc ^ u32::from(byte)) & 0xFF) as usize] ^ (crc >> 8))
}

/// `a * b / c` without overflow in between, through 128-bit arithmetic (compiler_builtins' `__udivti3`, which
/// the toolchain links into the plugin). Saturates at `u64::MAX`; `c == 0` panics.
#[no_mangle]
pub extern "C" fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    let quotient = u128::from(a) * u128::from(b) / u128::from(divisor(c));
    u64::try_from(quotient).unwrap_or(u64::MAX)
}

/// What percentage `part` is of `whole`; `whole == 0` panics, to show a panic: the call ends with a `PANIC` fault
/// that carries the message, and the host goes on, instead of hanging.
#[no_mangle]
pub extern "C" fn percent(part: i32, whole: i32) -> i32 {
    ratio(part, whole)
}

fn ratio(part: i32, whole: i32) -> i32 {
    if whole == 0 {
        panic!("percent: {part} of 0 is undefined");
    }
    (i64::from(part) * 100 / i64::from(whole)) as i32
}

fn divisor(c: u64) -> u64 {
    if c == 0 {
        panic!("mul_div: division by zero");
    }
    c
}

/// Hands a panic's message to the host (`predicator_panic`, served by Predicator's runtime), which ends the call
/// with a `PANIC` fault: a plugin cannot unwind into Java, and `loop {}` would hang the caller.
#[cfg(not(test))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    use core::fmt::Write;

    struct Message {
        bytes: [u8; 256],
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
        fn predicator_panic(message: *const u8, length: usize) -> !;
    }

    let mut message = Message { bytes: [0; 256], length: 0 };
    let _ = write!(message, "{}", info);
    unsafe { predicator_panic(message.bytes.as_ptr(), message.length) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_check_value() {
        assert_eq!(crc32_of(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn mul_div_does_not_overflow() {
        assert_eq!(mul_div(1_000_000_000_000, 1_000_000_000_000, 1_000_000), 1_000_000_000_000_000_000);
    }

    #[test]
    #[should_panic(expected = "percent: 1 of 0 is undefined")]
    fn percent_of_nothing_panics() {
        ratio(1, 0);
    }
}
