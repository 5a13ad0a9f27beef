; Loops the optimiser transforms at every level: results must not change.
define i64 @fib(i32 %n) {
entry:
  %small = icmp slt i32 %n, 2
  br i1 %small, label %base, label %loop
base:
  %n64 = sext i32 %n to i64
  ret i64 %n64
loop:
  %i = phi i32 [ 2, %entry ], [ %i.next, %loop ]
  %a = phi i64 [ 0, %entry ], [ %b, %loop ]
  %b = phi i64 [ 1, %entry ], [ %c, %loop ]
  %c = add i64 %a, %b
  %i.next = add i32 %i, 1
  %more = icmp sle i32 %i.next, %n
  br i1 %more, label %loop, label %done
done:
  ret i64 %c
}

define i32 @popcount_sum(i32 %limit) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  %total = phi i32 [ 0, %entry ], [ %total.next, %loop ]
  %bits = call i32 @llvm.ctpop.i32(i32 %i)
  %total.next = add i32 %total, %bits
  %i.next = add i32 %i, 1
  %more = icmp slt i32 %i.next, %limit
  br i1 %more, label %loop, label %done
done:
  ret i32 %total.next
}

define double @dot(ptr %a, ptr %b, i32 %n) {
entry:
  %empty = icmp sle i32 %n, 0
  br i1 %empty, label %done, label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  %acc = phi double [ 0.0, %entry ], [ %acc.next, %loop ]
  %index = sext i32 %i to i64
  %pa = getelementptr inbounds double, ptr %a, i64 %index
  %pb = getelementptr inbounds double, ptr %b, i64 %index
  %va = load double, ptr %pa, align 8
  %vb = load double, ptr %pb, align 8
  %product = fmul double %va, %vb
  %acc.next = fadd double %acc, %product
  %i.next = add i32 %i, 1
  %more = icmp slt i32 %i.next, %n
  br i1 %more, label %loop, label %done
done:
  %result = phi double [ 0.0, %entry ], [ %acc.next, %loop ]
  ret double %result
}

declare i32 @llvm.ctpop.i32(i32)
