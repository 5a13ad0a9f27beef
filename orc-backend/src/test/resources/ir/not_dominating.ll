; Parses, but the verifier rejects it: %x is used where it is not defined on every path.
define i32 @not_dominating(i1 %c) {
entry:
  br i1 %c, label %then, label %join
then:
  %x = add i32 1, 2
  br label %join
join:
  ret i32 %x
}
