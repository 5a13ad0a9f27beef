; Integer arithmetic: the plugin most tests load.
define i32 @add(i32 %a, i32 %b) {
  %sum = add i32 %a, %b
  ret i32 %sum
}

define i32 @sub(i32 %a, i32 %b) {
  %difference = sub i32 %a, %b
  ret i32 %difference
}

define i32 @mul(i32 %a, i32 %b) {
  %product = call i32 @multiply_helper(i32 %a, i32 %b)
  ret i32 %product
}

; Internal linkage: not exported.
define internal i32 @multiply_helper(i32 %a, i32 %b) {
  %product = mul i32 %a, %b
  ret i32 %product
}
