; One function per Java carrier type that a plugin function can take or return.
define i64 @add_long(i64 %a, i64 %b) {
  %sum = add i64 %a, %b
  ret i64 %sum
}

define double @sum_of_squares(double %a, double %b) {
  %aa = fmul double %a, %a
  %bb = fmul double %b, %b
  %sum = fadd double %aa, %bb
  ret double %sum
}

define float @halve(float %x) {
  %half = fmul float %x, 5.000000e-01
  ret float %half
}

define signext i8 @negate_byte(i8 signext %x) {
  %negated = sub i8 0, %x
  ret i8 %negated
}

define signext i16 @double_short(i16 signext %x) {
  %doubled = mul i16 %x, 2
  ret i16 %doubled
}

define zeroext i16 @next_char(i16 zeroext %c) {
  %next = add i16 %c, 1
  ret i16 %next
}

define zeroext i1 @is_even(i32 %x) {
  %low = and i32 %x, 1
  %even = icmp eq i32 %low, 0
  ret i1 %even
}

define i32 @count_true(i1 zeroext %a, i1 zeroext %b) {
  %a32 = zext i1 %a to i32
  %b32 = zext i1 %b to i32
  %count = add i32 %a32, %b32
  ret i32 %count
}

define double @mix(i8 signext %a, i16 signext %b, i32 %c, i64 %d, float %e, double %f) {
  %a64 = sitofp i8 %a to double
  %b64 = sitofp i16 %b to double
  %c64 = sitofp i32 %c to double
  %d64 = sitofp i64 %d to double
  %e64 = fpext float %e to double
  %s1 = fadd double %a64, %b64
  %s2 = fadd double %s1, %c64
  %s3 = fadd double %s2, %d64
  %s4 = fadd double %s3, %e64
  %s5 = fadd double %s4, %f
  ret double %s5
}

; Pointer parameters: the plugin writes into memory the caller owns.
define void @store_sum(ptr %out, i32 %a, i32 %b) {
  %sum = add i32 %a, %b
  store i32 %sum, ptr %out, align 4
  ret void
}

define void @fill_squares(ptr %out, i32 %n) {
entry:
  %empty = icmp sle i32 %n, 0
  br i1 %empty, label %done, label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %square = mul i32 %i, %i
  %index = sext i32 %i to i64
  %slot = getelementptr inbounds i32, ptr %out, i64 %index
  store i32 %square, ptr %slot, align 4
  %next = add i32 %i, 1
  %more = icmp slt i32 %next, %n
  br i1 %more, label %loop, label %done
done:
  ret void
}

define i64 @sum_longs(ptr %values, i32 %n) {
entry:
  %empty = icmp sle i32 %n, 0
  br i1 %empty, label %done, label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %total = phi i64 [ 0, %entry ], [ %sum, %loop ]
  %index = sext i32 %i to i64
  %slot = getelementptr inbounds i64, ptr %values, i64 %index
  %value = load i64, ptr %slot, align 8
  %sum = add i64 %total, %value
  %next = add i32 %i, 1
  %more = icmp slt i32 %next, %n
  br i1 %more, label %loop, label %done
done:
  %result = phi i64 [ 0, %entry ], [ %sum, %loop ]
  ret i64 %result
}

define ptr @second_int(ptr %p) {
  %second = getelementptr inbounds i32, ptr %p, i64 1
  ret ptr %second
}
