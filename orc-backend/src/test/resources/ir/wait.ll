; Blocks until the caller's flag turns nonzero; first tells the caller it has entered.
define i32 @wait_for(ptr %flag, ptr %entered) {
entry:
  store atomic i32 1, ptr %entered release, align 4
  br label %loop
loop:
  %value = load atomic i32, ptr %flag acquire, align 4
  %unset = icmp eq i32 %value, 0
  br i1 %unset, label %loop, label %done
done:
  ret i32 42
}

define i32 @add(i32 %a, i32 %b) {
  %sum = add i32 %a, %b
  ret i32 %sum
}
