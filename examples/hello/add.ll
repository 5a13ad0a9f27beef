; A small Predicator plugin written by hand in LLVM IR (LLVM 20 syntax, opaque pointers).
;
; There is no target triple or data layout: Predicator compiles the module for the host CPU when it loads it.
; Every function is self-contained, so the plugin needs nothing from a symbol resolver.
;
;   ./predicator run examples/hello/add.ll add 2 3                 prints 5
;   ./predicator run examples/hello/add.ll fib 50                  prints 12586269025
;   ./predicator run examples/hello/add.ll count_char banana 0x61  prints 3 (0x61 is 'a')
;   ./predicator run examples/hello/add.ll mean 1.5 2              prints 1.75
;   ./predicator inspect examples/hello/add.ll

; Exported data: the version of this plugin's interface.
@plugin_version = constant i32 1

; i32 add(i32 a, i32 b): a + b, wrapping around on overflow.
define i32 @add(i32 %a, i32 %b) {
entry:
  %sum = add i32 %a, %b
  ret i32 %sum
}

; i64 fib(i32 n): the n-th Fibonacci number (fib(0) = 0, fib(1) = 1), computed iteratively; 0 for negative n.
define i64 @fib(i32 %n) {
entry:
  %positive = icmp sgt i32 %n, 0
  br i1 %positive, label %loop, label %done

loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  %previous = phi i64 [ 0, %entry ], [ %current, %loop ]
  %current = phi i64 [ 1, %entry ], [ %next, %loop ]
  %next = add i64 %previous, %current
  %i.next = add i32 %i, 1
  %more = icmp slt i32 %i.next, %n
  br i1 %more, label %loop, label %done

done:
  %result = phi i64 [ 0, %entry ], [ %current, %loop ]
  ret i64 %result
}

; i64 count_char(const char *s, char c): how many bytes of the NUL-terminated string s equal c; 0 if s is NULL.
define i64 @count_char(ptr %s, i8 %c) {
entry:
  %is.null = icmp eq ptr %s, null
  br i1 %is.null, label %done, label %loop

loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %step ]
  %count = phi i64 [ 0, %entry ], [ %count.next, %step ]
  %address = getelementptr inbounds i8, ptr %s, i64 %i
  %byte = load i8, ptr %address
  %at.end = icmp eq i8 %byte, 0
  br i1 %at.end, label %done, label %step

step:
  %matches = icmp eq i8 %byte, %c
  %increment = zext i1 %matches to i64
  %count.next = add i64 %count, %increment
  %i.next = add i64 %i, 1
  br label %loop

done:
  %result = phi i64 [ 0, %entry ], [ %count, %loop ]
  ret i64 %result
}

; double mean(double a, double b): the arithmetic mean of a and b.
define double @mean(double %a, double %b) {
entry:
  %sum = fadd double %a, %b
  %half = fmul double %sum, 0.5
  ret double %half
}
