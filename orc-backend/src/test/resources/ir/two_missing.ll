; References two symbols nobody provides.
declare i32 @missing_one(i32)
declare i32 @missing_two(i32)

define i32 @use_both(i32 %x) {
  %a = call i32 @missing_one(i32 %x)
  %b = call i32 @missing_two(i32 %a)
  ret i32 %b
}
