; A plugin with one function per type the command line converts, for RunCommandTests and InspectCommandTests.

@counter = global i64 0

define i1 @negate(i1 %b) {
  %r = xor i1 %b, true
  ret i1 %r
}

define i8 @next_byte(i8 %b) {
  %r = add i8 %b, 1
  ret i8 %r
}

define i16 @twice_short(i16 %s) {
  %r = mul i16 %s, 2
  ret i16 %r
}

define i32 @sub(i32 %a, i32 %b) {
  %r = sub i32 %a, %b
  ret i32 %r
}

define i64 @widen(i32 %x) {
  %r = sext i32 %x to i64
  ret i64 %r
}

define float @half(float %x) {
  %r = fmul float %x, 0.5
  ret float %r
}

define double @scale(double %x, i32 %factor) {
  %f = sitofp i32 %factor to double
  %r = fmul double %x, %f
  ret double %r
}

define ptr @identity(ptr %p) {
  ret ptr %p
}

define i64 @length(ptr %s) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %address = getelementptr inbounds i8, ptr %s, i64 %i
  %byte = load i8, ptr %address
  %next = add i64 %i, 1
  %more = icmp ne i8 %byte, 0
  br i1 %more, label %loop, label %done
done:
  ret i64 %i
}

define void @bump() {
  %old = load i64, ptr @counter
  %new = add i64 %old, 1
  store i64 %new, ptr @counter
  ret void
}
