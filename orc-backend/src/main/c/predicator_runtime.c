/*
 * The plugin runtime: turns a fault of plugin code called from Java into a report the caller reads, instead of the
 * end of the process.
 *
 * Built at build time by the bundled clang into LLVM bitcode (a resource of the backend's jar) and loaded once per
 * process into a JIT that is never closed, so that the signal handler and the thread-exit destructor below outlive
 * every JIT context. It is freestanding: no C library headers are needed to build it, and the declarations below
 * are those of Linux on x86-64 with glibc, the only platform the backend ships natives for.
 *
 * How a contained call works (the Java side is io.predicator.orc.internal.runtime):
 *   1. Java calls a trampoline, generated per C signature, with the plugin function's address, its arguments and
 *      the calling Java thread's fault report (struct report).
 *   2. The trampoline takes this OS thread's record (attaching the thread on its first call: an alternate signal
 *      stack, its stack bounds), notes the Java thread's report in it, writes a frame (struct frame) on its own
 *      stack: its stack and frame pointers and where to resume, and makes it the thread's current frame.
 *   3. The plugin function runs. When it returns, the trampoline pops the frame and returns its result.
 *   4. When it faults, the signal handler fills the report, pops the frame and rewrites the signal context so that
 *      the thread resumes in the trampoline at the frame's resume address, which returns zero through the
 *      trampoline's epilogue (restoring the caller's registers from the trampoline's own stack); Java, seeing the
 *      report filled, throws. When it calls abort, exit, __assert_fail, a Rust panic hook and the
 *      like (served by this runtime, whatever the resolver), predicator_resume does the same without a signal.
 *
 * Only a thread with a current frame, faulting outside the JVM's own code, is the plugin's: every other signal goes
 * to the handler that was installed before (HotSpot's), with that handler's mask, as HotSpot itself chains.
 *
 * How a call is stopped (deadlines, interrupts, a plugin that closes while calls run):
 *   1. One watchdog thread for the process (Watchdog.java) calls predicator_scan every tick. It writes the clock,
 *      and sends the stop signal (a real-time signal nobody else handles) to each thread whose call has passed its
 *      deadline, was interrupted, or runs while some plugin is closing.
 *   2. The stop handler ends the call, as a fault would, only if the thread is in plugin code right then: its PC
 *      lies in a code range some plugin registered (predicator_code_add), never in the C library, the JVM or this
 *      runtime, whose locks and state a jump would leave half-updated. Otherwise it returns and the next tick
 *      signals again.
 *   3. A call that spends its time in host functions (a loop that calls one) is rarely in plugin code when the
 *      signal lands, so each function a plugin only calls (never takes the address of) is imported through a gate
 *      (predicator_gates_new): a few instructions that jump on to the function unless some call is due to stop,
 *      and then check, at the call's entry, whether this thread's call should stop, and stop it there. A call
 *      blocked inside a host function stops when it next calls one, or returns to plugin code and a signal lands.
 * Nothing is polled and nothing is compiled into plugin code, so it works for machine code of any origin.
 */

typedef unsigned long size_t;
typedef unsigned long uintptr_t;
typedef unsigned long uint64_t;
typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned char uint8_t;

/* ---- The C library, as declared by glibc on x86-64 ---- */

typedef struct {
    unsigned long bits[16];
} sigset_t;

typedef struct {
    int signo;
    int error;
    int code;
    int padding;
    union {
        void *address;                                /* SIGSEGV, SIGBUS, SIGFPE, SIGILL */
        struct {
            int pid;
            unsigned int uid;
        } sender;                                     /* kill, tgkill */
    } u;
} siginfo_t;

struct libc_sigaction {
    void *handler;                                    /* sa_handler or sa_sigaction */
    sigset_t mask;
    int flags;
    void (*restorer)(void);
};

typedef struct {
    void *sp;
    int flags;
    size_t size;
} stack_t;

typedef struct {
    unsigned long flags;
    void *link;
    stack_t stack;
    long long gregs[23];
    /* the floating-point state and the signal mask follow; not used here */
} ucontext_t;

enum {
    REG_RBP = 10, REG_RSP = 15, REG_RIP = 16, REG_EFL = 17
};

#define SIGILL 4
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGSEGV 11
#define SIG_BLOCK 0
#define SIG_SETMASK 2
#define SA_SIGINFO 0x00000004
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SI_TKILL (-6)
#define SS_DISABLE 2
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define MAP_FAILED ((void *) -1)
#define SIG_DFL ((void *) 0)
#define SIG_IGN ((void *) 1)
#define EFLAGS_DIRECTION 0x400

extern int sigaction(int signal, const struct libc_sigaction *action, struct libc_sigaction *previous);
extern int sigaltstack(const stack_t *stack, stack_t *previous);
extern int pthread_sigmask(int how, const sigset_t *set, sigset_t *previous);
extern int pthread_key_create(unsigned int *key, void (*destructor)(void *));
extern void *pthread_getspecific(unsigned int key);
extern int pthread_setspecific(unsigned int key, const void *value);
extern unsigned long pthread_self(void);
extern int pthread_getattr_np(unsigned long thread, void *attributes);
extern int pthread_attr_getstack(const void *attributes, void **address, size_t *size);
extern int pthread_attr_getguardsize(const void *attributes, size_t *size);
extern int pthread_attr_destroy(void *attributes);
extern void *mmap(void *address, size_t length, int protection, int flags, int fd, long offset);
extern int munmap(void *address, size_t length);
extern int mprotect(void *address, size_t length, int protection);
extern void *calloc(size_t count, size_t size);
extern int posix_memalign(void **memory, size_t alignment, size_t size);
extern void *memset(void *memory, int value, size_t size);
extern void free(void *memory);
extern int getpid(void);
extern int gettid(void);
extern int tgkill(int process, int thread, int signal);
extern int sched_yield(void);
extern int __libc_current_sigrtmax(void);
extern int __libc_current_sigrtmin(void);
extern int raise(int signal);
extern int *__errno_location(void);
extern int snprintf(char *buffer, size_t size, const char *format, ...);
extern void abort(void);
extern void _exit(int status);

/* ---- Shared with Java: the layouts io.predicator.orc.internal.runtime reads and writes ---- */

/* What went wrong, in the order of PluginFaultException.Kind. */
enum kind {
    KIND_NONE = 0,
    KIND_SEGMENTATION_FAULT = 1,
    KIND_BUS_ERROR = 2,
    KIND_ARITHMETIC_ERROR = 3,
    KIND_ILLEGAL_INSTRUCTION = 4,
    KIND_STACK_OVERFLOW = 5,
    KIND_ABORT = 6,
    KIND_EXIT = 7,
    KIND_PANIC = 8,
    KIND_TIMEOUT = 9,
    KIND_INTERRUPTED = 10
};

/* Why a call was stopped, in the report's code field; StopReason in FaultReport.java. */
enum stop_reason {
    STOP_DEADLINE = 1,
    STOP_INTERRUPT = 2,
    STOP_CLOSING = 3
};

/* The report's deadline: 0 for none, this for "the Java thread was interrupted", else a clock value. */
#define DEADLINE_INTERRUPTED 1

#define MESSAGE_CAPACITY 1024

/*
 * One per Java thread (not per OS thread: a virtual thread's report travels with it), allocated by
 * predicator_report_new and freed by predicator_report_free. The fault fields are written only on a fault. A
 * call's trampoline writes started and deadline when the call starts, from the clock and the timeout, which Java
 * writes only when the thread calls a plugin with another timeout than before; the watchdog writes the deadline's
 * sentinel when the Java thread is interrupted.
 */
struct report {
    int32_t kind;                                     /* 0  */
    int32_t signal;                                   /* 4  */
    int32_t code;                                     /* 8: si_code, the exit status, or the stop_reason */
    int32_t length;                                   /* 12: bytes of message */
    uint64_t address;                                 /* 16: the faulting address */
    uint64_t pc;                                      /* 24: the faulting instruction */
    uint64_t deadline;                                /* 32: the call's deadline on the clock, 0, or a sentinel */
    uint64_t started;                                 /* 40: the clock when the call started */
    uint64_t timeout;                                 /* 48: the called plugin's timeout plus a tick, 0 for none */
    char message[MESSAGE_CAPACITY];                   /* 56 */
};

/*
 * A plugin call in progress on an OS thread; lives in the trampoline's stack frame, written by the trampoline itself
 * (see Trampolines.java). Resuming needs only the stack and frame pointers: the code at the resume address returns
 * zero through the trampoline's epilogue, which restores the caller's callee-saved registers from where the
 * trampoline's prologue pushed them, so no other register is saved per call.
 */
struct frame {
    uint64_t rsp;                                     /* 0: the trampoline's stack pointer */
    uint64_t rbp;                                     /* 8: the trampoline's frame pointer */
    uint64_t rip;                                     /* 16: the trampoline's resume address */
    struct frame *previous;                           /* 24: the frame of an outer call (a plugin called Java, */
};                                                    /*     which called a plugin); written only if there is one */

/* One per OS thread that has called a plugin, found through a pthread key, freed when the thread ends. */
struct thread {
    /* 0: the innermost plugin call, or 0; its low bit is set when the call is nested in another (frames are
       16-byte aligned), and only then is the frame's previous field written: one store less per outermost call. */
    uintptr_t current;
    /* 8: the fault report of the Java thread whose calls are in progress here. One Java thread at a time: a
       virtual thread cannot leave its carrier during a native call, so every call on an OS thread's stack is the
       same Java thread's. Trampolines store it only when it changes (another virtual thread mounted). */
    struct report *report;
    void *altstack;                                   /* the alternate signal stack installed here, or null */
    size_t altstack_size;
    uintptr_t stack_low;                              /* the thread's stack, guard pages included */
    uintptr_t stack_high;
    int tid;                                          /* the kernel's id of the thread, for tgkill */
    struct thread *next;                              /* every attached thread, for the watchdog's scan */
    struct thread *previous;
};

/* ---- State, written once by predicator_install ---- */

#define MAX_RANGES 16
#define ALTSTACK_SIZE (256 * 1024)
#define OVERFLOW_SLACK (256 * 1024)

/* The key of this runtime's thread records; trampolines read it. */
unsigned int predicator_thread_key;
/*
 * Where the key's value sits in every thread's own glibc record (struct pthread, at the thread pointer %fs:0), as
 * an offset from the thread pointer, and the sequence number glibc stores beside it while the key is ours; -1 and
 * 0 when not found. Trampolines then read the thread record with two loads instead of calling pthread_getspecific,
 * which costs as much as the rest of the trampoline. Found at install by setting the key and searching the
 * installing thread's record; trampolines fall back to pthread_getspecific when the search fails.
 */
long predicator_thread_slot = -1;
uint64_t predicator_thread_sequence;
static int installed;
static int process_id;
static struct libc_sigaction previous_actions[32];
static const int handled_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
static uintptr_t jvm_code[MAX_RANGES][2];
static int jvm_code_count;
/* The signal that stops calls: the highest real-time signal nobody had a handler for; 0 if none was free. */
static int stop_signal;

/* ---- The clock and the thread list, shared with the watchdog ---- */

/* Microseconds on a monotonic clock, written by the watchdog every tick; never 0 or a deadline sentinel. */
uint64_t predicator_clock;
/* 1 while some thread's call is due to stop (as of the last tick): import gates then check their thread's call. */
volatile unsigned char predicator_gates_armed;
static struct thread *threads;                        /* the attached threads, linked under threads_lock */
static int threads_lock;

/* A spin lock: held for a few instructions by attach and detach, for a walk of the threads by the watchdog. */
static void lock(int *word) {
    while (__atomic_exchange_n(word, 1, __ATOMIC_ACQUIRE)) {
        sched_yield();
    }
}

static void unlock(int *word) {
    __atomic_store_n(word, 0, __ATOMIC_RELEASE);
}

/* ---- Frames ---- */

static struct frame *current_frame(const struct thread *thread) {
    return (struct frame *) (thread->current & ~(uintptr_t) 1);
}

/* Makes the current frame's outer frame current, as the trampoline does when the call returns. */
static void pop_frame(struct thread *thread) {
    thread->current = (thread->current & 1) ? (uintptr_t) current_frame(thread)->previous : 0;
}

/* ---- Returning to the trampoline without a signal ---- */

/* Restores the frame's stack and frame pointers and jumps to its resume address, where the trampoline returns zero. */
__attribute__((naked, noreturn)) void predicator_resume(struct frame *frame) {
    __asm__(
        "movq 8(%rdi), %rbp\n"
        "movq 0(%rdi), %rsp\n"
        "cld\n"
        "jmpq *16(%rdi)\n");
}

/* ---- Threads ---- */

static void link_thread(struct thread *thread) {
    lock(&threads_lock);
    thread->next = threads;
    if (threads) {
        threads->previous = thread;
    }
    threads = thread;
    unlock(&threads_lock);
}

static void unlink_thread(struct thread *thread) {
    lock(&threads_lock);
    if (thread->previous) {
        thread->previous->next = thread->next;
    } else if (threads == thread) {
        threads = thread->next;
    }
    if (thread->next) {
        thread->next->previous = thread->previous;
    }
    unlock(&threads_lock);
}

static void detach(void *value) {
    struct thread *thread = value;
    unlink_thread(thread);
    if (thread->altstack) {
        stack_t off = {0, SS_DISABLE, 0};
        sigaltstack(&off, 0);
        munmap(thread->altstack, thread->altstack_size);
    }
    free(thread);
}

static void find_stack(struct thread *thread) {
    unsigned long attributes[8];                      /* pthread_attr_t: 56 bytes */
    void *low = 0;
    size_t size = 0;
    size_t guard = 0;
    if (pthread_getattr_np(pthread_self(), attributes) != 0) {
        return;
    }
    if (pthread_attr_getstack(attributes, &low, &size) == 0) {
        pthread_attr_getguardsize(attributes, &guard);
        thread->stack_low = (uintptr_t) low - guard;
        thread->stack_high = (uintptr_t) low + size;
    }
    pthread_attr_destroy(attributes);
}

/* Installs an alternate signal stack unless the thread has one: without it a stack overflow cannot be handled. */
static void install_altstack(struct thread *thread) {
    stack_t existing;
    if (sigaltstack(0, &existing) != 0 || !(existing.flags & SS_DISABLE)) {
        return;
    }
    size_t page = 4096;
    size_t size = ALTSTACK_SIZE + page;
    char *memory = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) {
        return;
    }
    mprotect(memory, page, PROT_NONE);                /* an overflow of the handler faults instead of corrupting */
    stack_t stack = {memory + page, 0, ALTSTACK_SIZE};
    if (sigaltstack(&stack, 0) != 0) {
        munmap(memory, size);
        return;
    }
    thread->altstack = memory;
    thread->altstack_size = size;
}

/* The calling OS thread's record, created on its first plugin call; null only if memory ran out. */
struct thread *predicator_attach(void) {
    struct thread *thread = pthread_getspecific(predicator_thread_key);
    if (thread) {
        return thread;
    }
    thread = calloc(1, sizeof(struct thread));
    if (!thread) {
        return 0;
    }
    find_stack(thread);
    install_altstack(thread);
    thread->tid = gettid();
    link_thread(thread);
    if (pthread_setspecific(predicator_thread_key, thread) != 0) {
        detach(thread);
        return 0;
    }
    return thread;
}

/* ---- Reports ---- */

static void copy_message(struct report *report, const char *text, size_t length) {
    if (length > MESSAGE_CAPACITY) {
        length = MESSAGE_CAPACITY;
    }
    for (size_t i = 0; i < length; i++) {
        report->message[i] = text[i];
    }
    report->length = (int32_t) length;
}

static size_t text_length(const char *text, size_t limit) {
    size_t length = 0;
    while (length < limit && text[length]) {
        length++;
    }
    return length;
}

static void fill(struct report *report, int kind, int signal, int code, uintptr_t address, uintptr_t pc) {
    report->signal = signal;
    report->code = code;
    report->address = address;
    report->pc = pc;
    report->length = 0;
    report->kind = kind;                              /* last: Java reads the kind first */
}

/* ---- The signal handler ---- */

static int in_jvm_code(uintptr_t pc) {
    for (int i = 0; i < jvm_code_count; i++) {
        if (pc >= jvm_code[i][0] && pc < jvm_code[i][1]) {
            return 1;
        }
    }
    return 0;
}

/* Whether the signal is the plugin's: raised by this thread's plugin call, not by the JVM nor sent from outside. */
static int is_plugins(int signal, const siginfo_t *info, const ucontext_t *context) {
    if (in_jvm_code((uintptr_t) context->gregs[REG_RIP])) {
        return 0;                                     /* Java code of a host function: an NPE, a safepoint poll */
    }
    if (signal == SIGABRT) {                          /* abort() inside the C library: raise() sends it to itself */
        return info->code == SI_TKILL && info->u.sender.pid == process_id;
    }
    return info->code > 0;                            /* raised by the CPU, not sent with kill */
}

static int kind_of(int signal, const siginfo_t *info, const struct thread *thread) {
    switch (signal) {
    case SIGSEGV: {
        uintptr_t address = (uintptr_t) info->u.address;
        if (thread->stack_high != 0 && address + OVERFLOW_SLACK >= thread->stack_low
                && address < thread->stack_low + OVERFLOW_SLACK) {
            return KIND_STACK_OVERFLOW;
        }
        return KIND_SEGMENTATION_FAULT;
    }
    case SIGBUS:
        return KIND_BUS_ERROR;
    case SIGFPE:
        return KIND_ARITHMETIC_ERROR;
    case SIGILL:
        return KIND_ILLEGAL_INSTRUCTION;
    default:
        return KIND_ABORT;
    }
}

/* Calls the handler installed before this runtime's, as the kernel would have: with its mask and flags. */
static void chain(int signal, siginfo_t *info, void *context) {
    struct libc_sigaction *previous = &previous_actions[signal];
    void *handler = previous->handler;
    if (handler == SIG_IGN) {
        return;
    }
    if (handler == SIG_DFL) {
        struct libc_sigaction fallback = {0};
        sigaction(signal, &fallback, 0);              /* the default action: on return for a fault, or on raise */
        if (signal == SIGABRT || info->code <= 0) {
            raise(signal);
        }
        return;
    }
    sigset_t mask = previous->mask;
    sigset_t saved;
    if (!(previous->flags & SA_NODEFER)) {
        mask.bits[(signal - 1) / 64] |= 1UL << ((signal - 1) % 64);
    }
    pthread_sigmask(SIG_BLOCK, &mask, &saved);
    if (previous->flags & SA_SIGINFO) {
        ((void (*)(int, siginfo_t *, void *)) handler)(signal, info, context);
    } else {
        ((void (*)(int)) handler)(signal);
    }
    pthread_sigmask(SIG_SETMASK, &saved, 0);
}

static void resume_in_trampoline(struct thread *thread, struct frame *frame, ucontext_t *context);

static void handle(int signal, siginfo_t *info, void *raw) {
    ucontext_t *context = raw;
    int saved_errno = *__errno_location();
    struct thread *thread = pthread_getspecific(predicator_thread_key);
    struct frame *frame = thread ? current_frame(thread) : 0;
    if (frame && is_plugins(signal, info, context)) {
        uintptr_t address = signal == SIGABRT ? 0 : (uintptr_t) info->u.address;
        fill(thread->report, kind_of(signal, info, thread), signal, info->code, address,
             (uintptr_t) context->gregs[REG_RIP]);
        resume_in_trampoline(thread, frame, context);
    } else {
        chain(signal, info, raw);
    }
    *__errno_location() = saved_errno;
}

/* ---- Plugin code, where a call may be stopped ---- */

/* Code of one plugin: [start, end), registered by owner (a Java-side id); closing while the plugin unloads. */
struct range {
    uint64_t start;
    uint64_t end;
    uint64_t owner;
    uint64_t closing;
};

/* Every registered range, sorted by start; replaced whole by writers and read without a lock by the stop handler. */
struct table {
    long count;
    long closing;                                     /* how many ranges are closing */
    struct range ranges[];
};

static struct table *code_table;
static int code_lock;                                 /* serialises writers */
static int stop_handlers;                             /* stop handlers between loading code_table and done with it */

/* 1 if pc is in plugin code, 2 if in the code of a plugin that is closing, else 0. */
static int plugin_code(uintptr_t pc) {
    __atomic_fetch_add(&stop_handlers, 1, __ATOMIC_SEQ_CST);
    const struct table *table = __atomic_load_n(&code_table, __ATOMIC_SEQ_CST);
    int found = 0;
    if (table) {
        long low = 0;
        long high = table->count;
        while (low < high) {                          /* the last range that starts at or below pc */
            long middle = (low + high) / 2;
            if (table->ranges[middle].start <= pc) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        if (low > 0 && pc < table->ranges[low - 1].end) {
            found = table->ranges[low - 1].closing ? 2 : 1;
        }
    }
    __atomic_fetch_sub(&stop_handlers, 1, __ATOMIC_SEQ_CST);
    return found;
}

/* Publishes a new table and frees the old one once no stop handler can still be reading it. */
static void publish(struct table *table) {
    struct table *old = __atomic_exchange_n(&code_table, table, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&stop_handlers, __ATOMIC_SEQ_CST) != 0) {
        sched_yield();
    }
    free(old);
}

/*
 * Rebuilds the table under code_lock from the current one: drops owner's ranges if remove, else sets their closing
 * flag to closing unless it is -1, and inserts count new pairs of owner. Returns 0, or -1 when out of memory (the
 * table is then unchanged).
 */
static int rebuild(uint64_t owner, const uint64_t *pairs, long count, int remove, int closing) {
    lock(&code_lock);
    const struct table *old = code_table;
    long old_count = old ? old->count : 0;
    struct table *table = calloc(1, sizeof(struct table) + (size_t) (old_count + count) * sizeof(struct range));
    if (!table) {
        unlock(&code_lock);
        return -1;
    }
    long n = 0;
    for (long i = 0; i < old_count; i++) {
        struct range range = old->ranges[i];
        if (range.owner == owner) {
            if (remove) {
                continue;
            }
            if (closing >= 0) {
                range.closing = (uint64_t) closing;
            }
        }
        table->ranges[n++] = range;
    }
    for (long i = 0; i < count; i++) {                /* insertion: a plugin has a few ranges, added once */
        struct range range = {pairs[2 * i], pairs[2 * i + 1], owner, 0};
        if (range.end <= range.start) {
            continue;
        }
        long at = n;
        while (at > 0 && table->ranges[at - 1].start > range.start) {
            table->ranges[at] = table->ranges[at - 1];
            at--;
        }
        table->ranges[at] = range;
        n++;
    }
    table->count = n;
    for (long i = 0; i < n; i++) {
        table->closing += table->ranges[i].closing ? 1 : 0;
    }
    publish(table);
    unlock(&code_lock);
    return 0;
}

/* Registers count [start, end) pairs of a plugin's code; 0, or -1 when out of memory. */
int predicator_code_add(uint64_t owner, const uint64_t *pairs, long count) {
    return rebuild(owner, pairs, count, 0, -1);
}

/* Forgets a plugin's code: called before the code is freed, after its calls have ended. */
int predicator_code_remove(uint64_t owner) {
    return rebuild(owner, 0, 0, 1, -1);
}

/* Marks a plugin's code as closing (1) or not (0): calls in it are then stopped whatever their deadline. */
int predicator_code_closing(uint64_t owner, int closing) {
    return rebuild(owner, 0, 0, 0, closing ? 1 : 0);
}

/* ---- Stopping calls ---- */

static void resume_in_trampoline(struct thread *thread, struct frame *frame, ucontext_t *context) {
    pop_frame(thread);
    /* Return into the trampoline at its resume address, on its own stack again. The kernel restores the signal mask
       the plugin ran with when the handler returns. */
    context->gregs[REG_RBP] = (long long) frame->rbp;
    context->gregs[REG_RSP] = (long long) frame->rsp;
    context->gregs[REG_RIP] = (long long) frame->rip;
    context->gregs[REG_EFL] &= ~(long long) EFLAGS_DIRECTION;
}

/* Why a call whose code is at pc (code: plugin_code(pc)) should stop now, or 0 if it should not. */
static int stop_reason(const struct report *report, int code) {
    uint64_t deadline = report->deadline;
    return code == 2 ? STOP_CLOSING
            : deadline == DEADLINE_INTERRUPTED ? STOP_INTERRUPT
            : deadline != 0 && __atomic_load_n(&predicator_clock, __ATOMIC_RELAXED) >= deadline ? STOP_DEADLINE
            : 0;
}

/* Fills the report of a stopped call. */
static void report_stop(struct report *report, int signal, int reason, uintptr_t pc) {
    fill(report, KIND_NONE, signal, reason, 0, pc);
    report->deadline = 0;
    report->kind = reason == STOP_DEADLINE ? KIND_TIMEOUT : KIND_INTERRUPTED;
}

/* The stop signal's handler: ends the thread's call if it should stop and is in plugin code, else does nothing. */
static void handle_stop(int signal, siginfo_t *info, void *raw) {
    ucontext_t *context = raw;
    if (info->code != SI_TKILL || info->u.sender.pid != process_id) {
        return;                                       /* not the watchdog's: nobody else may stop a call */
    }
    int saved_errno = *__errno_location();
    struct thread *thread = pthread_getspecific(predicator_thread_key);
    struct frame *frame = thread ? current_frame(thread) : 0;
    struct report *report = thread ? thread->report : 0;
    uintptr_t pc = (uintptr_t) context->gregs[REG_RIP];
    int code = frame && report ? plugin_code(pc) : 0;
    int reason = code ? stop_reason(report, code) : 0;
    if (reason) {
        report_stop(report, signal, reason, pc);
        resume_in_trampoline(thread, frame, context);
    }
    *__errno_location() = saved_errno;
}

/*
 * The watchdog's tick: sets the clock, signals every thread whose call should stop (its deadline passed, its Java
 * thread was interrupted, or some plugin is closing), and writes the reports of the threads in a call, at most
 * capacity of them, for the watchdog to check their Java threads' interrupt status. Returns how many it wrote.
 */
int predicator_scan(uint64_t clock, uint64_t *reports, int capacity) {
    __atomic_store_n(&predicator_clock, clock, __ATOMIC_RELAXED);
    const struct table *table = __atomic_load_n(&code_table, __ATOMIC_ACQUIRE);
    int closing = table && table->closing > 0;        /* written under code_lock; a stale read waits a tick */
    int written = 0;
    int due = 0;
    lock(&threads_lock);
    for (struct thread *thread = threads; thread; thread = thread->next) {
        if (__atomic_load_n(&thread->current, __ATOMIC_ACQUIRE) == 0) {
            continue;
        }
        struct report *report = __atomic_load_n(&thread->report, __ATOMIC_ACQUIRE);
        if (!report) {
            continue;
        }
        if (written < capacity) {
            reports[written++] = (uint64_t) report;
        }
        uint64_t deadline = __atomic_load_n(&report->deadline, __ATOMIC_RELAXED);
        if (closing || deadline == DEADLINE_INTERRUPTED || (deadline != 0 && clock >= deadline)) {
            due = 1;
            if (stop_signal) {
                tgkill(process_id, thread->tid, stop_signal);
            }
        }
    }
    unlock(&threads_lock);
    predicator_gates_armed = (unsigned char) due;
    return written;
}

/* Returns the stop signal's number, or 0 if every real-time signal had a handler and calls cannot be stopped. */
int predicator_stop_signal(void) {
    return stop_signal;
}

/* ---- Import gates ---- */

/*
 * A gate per imported function, GATE_SIZE bytes each, in executable memory of its own:
 *     movabs $predicator_gates_armed, %r11     49 BB imm64
 *     cmpb   $0, (%r11)                        41 80 3B 00
 *     movabs $function, %r11                   49 BB imm64
 *     jne    1f                                75 03
 *     jmp    *%r11                             41 FF E3
 * 1:  jmp    *slow(%rip)                       FF 25 rel32     (slow: the table's last word)
 * r11 is the one register the calling convention neither passes arguments in nor preserves, so the function gets
 * every argument and the stack as the plugin left them. The flag is set only while some call is due to stop.
 */
#define GATE_SIZE 40
#define PAGE_SIZE 4096

static size_t gates_size(long count) {
    return ((size_t) count * GATE_SIZE + 8 + PAGE_SIZE - 1) & ~(size_t) (PAGE_SIZE - 1);
}

static unsigned char *put_u64(unsigned char *at, uint64_t value) {
    for (int i = 0; i < 8; i++) {
        *at++ = (unsigned char) (value >> (8 * i));
    }
    return at;
}

void predicator_gate_slow(void);

/* count gates to the given functions, read-only and executable; null when out of memory. Freed by _free. */
void *predicator_gates_new(const uint64_t *functions, long count) {
    if (count <= 0) {
        return 0;
    }
    size_t size = gates_size(count);
    unsigned char *memory = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        return 0;
    }
    unsigned char *slow = memory + (size_t) count * GATE_SIZE;
    put_u64(slow, (uint64_t) (uintptr_t) &predicator_gate_slow);
    for (long i = 0; i < count; i++) {
        unsigned char *at = memory + (size_t) i * GATE_SIZE;
        unsigned char *end = at + GATE_SIZE;
        *at++ = 0x49; *at++ = 0xBB;
        at = put_u64(at, (uint64_t) (uintptr_t) &predicator_gates_armed);
        *at++ = 0x41; *at++ = 0x80; *at++ = 0x3B; *at++ = 0x00;
        *at++ = 0x49; *at++ = 0xBB;
        at = put_u64(at, functions[i]);
        *at++ = 0x75; *at++ = 0x03;
        *at++ = 0x41; *at++ = 0xFF; *at++ = 0xE3;
        *at++ = 0xFF; *at++ = 0x25;
        uint32_t displacement = (uint32_t) (int32_t) (slow - (at + 4));
        for (int b = 0; b < 4; b++) {
            *at++ = (unsigned char) (displacement >> (8 * b));
        }
        while (at < end) {
            *at++ = 0xCC;                             /* int3 */
        }
    }
    if (mprotect(memory, size, PROT_READ | PROT_EXEC) != 0) {
        munmap(memory, size);
        return 0;
    }
    return memory;
}

/* Frees what predicator_gates_new returned for count functions, once no call can be in the gates. */
void predicator_gates_free(void *gates, long count) {
    if (gates) {
        munmap(gates, gates_size(count));
    }
}

/*
 * The slow path of a gate, while some call is due to stop: if this thread's call is, it stops at this call of an
 * imported function (returning into the trampoline as predicator_resume does); else it returns, and the gate goes
 * on to the function. return_address is where the function would return to: plugin code, unless the plugin
 * tail-called the function, and then the call is not stopped here.
 */
__attribute__((used)) void predicator_gate_check(uintptr_t return_address) {
    struct thread *thread = installed ? pthread_getspecific(predicator_thread_key) : 0;
    struct frame *frame = thread ? current_frame(thread) : 0;
    struct report *report = thread ? thread->report : 0;
    int code = frame && report ? plugin_code(return_address) : 0;
    int reason = code ? stop_reason(report, code) : 0;
    if (reason) {
        report_stop(report, 0, reason, return_address);
        pop_frame(thread);
        predicator_resume(frame);
    }
}

/*
 * Entered by a gate's jump with the function's address in r11 and the plugin's arguments in place: saves every
 * argument register (the integer ones, rax for a variadic call's count, r10 for a static chain, xmm0-7), calls
 * predicator_gate_check with the return address on an aligned stack, restores them and jumps to the function.
 */
__attribute__((naked)) void predicator_gate_slow(void) {
    __asm__(
        "pushq %rbp\n"
        "movq %rsp, %rbp\n"
        "pushq %rdi\n"
        "pushq %rsi\n"
        "pushq %rdx\n"
        "pushq %rcx\n"
        "pushq %r8\n"
        "pushq %r9\n"
        "pushq %rax\n"
        "pushq %r10\n"
        "pushq %r11\n"
        "subq $136, %rsp\n"
        "movdqu %xmm0, 0(%rsp)\n"
        "movdqu %xmm1, 16(%rsp)\n"
        "movdqu %xmm2, 32(%rsp)\n"
        "movdqu %xmm3, 48(%rsp)\n"
        "movdqu %xmm4, 64(%rsp)\n"
        "movdqu %xmm5, 80(%rsp)\n"
        "movdqu %xmm6, 96(%rsp)\n"
        "movdqu %xmm7, 112(%rsp)\n"
        "movq 8(%rbp), %rdi\n"
        "callq predicator_gate_check\n"
        "movdqu 0(%rsp), %xmm0\n"
        "movdqu 16(%rsp), %xmm1\n"
        "movdqu 32(%rsp), %xmm2\n"
        "movdqu 48(%rsp), %xmm3\n"
        "movdqu 64(%rsp), %xmm4\n"
        "movdqu 80(%rsp), %xmm5\n"
        "movdqu 96(%rsp), %xmm6\n"
        "movdqu 112(%rsp), %xmm7\n"
        "addq $136, %rsp\n"
        "popq %r11\n"
        "popq %r10\n"
        "popq %rax\n"
        "popq %r9\n"
        "popq %r8\n"
        "popq %rcx\n"
        "popq %rdx\n"
        "popq %rsi\n"
        "popq %rdi\n"
        "popq %rbp\n"
        "jmpq *%r11\n");
}

/* ---- Reports ---- */

/* A zeroed report for a Java thread, or null when out of memory; freed by predicator_report_free. */
struct report *predicator_report_new(void) {
    /* On a cache line of its own: every call's trampoline writes started and deadline, and Java reads kind. */
    void *report = 0;
    if (posix_memalign(&report, 64, sizeof(struct report)) != 0) {
        return 0;
    }
    return memset(report, 0, sizeof(struct report));
}

/* Frees a report no Java thread uses any more, first clearing the thread records that still point at it. */
void predicator_report_free(struct report *report) {
    lock(&threads_lock);
    for (struct thread *thread = threads; thread; thread = thread->next) {
        struct report *expected = report;
        __atomic_compare_exchange_n(&thread->report, &expected, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
    }
    unlock(&threads_lock);
    free(report);
}

/* Takes the highest real-time signal with the default action and no handler, for stopping calls. */
static int find_stop_signal(void) {
    int low = __libc_current_sigrtmin();
    for (int candidate = __libc_current_sigrtmax(); candidate >= low && candidate < 128; candidate--) {
        struct libc_sigaction existing;
        if (sigaction(candidate, 0, &existing) == 0 && existing.handler == SIG_DFL) {
            return candidate;
        }
    }
    return 0;
}

/* ---- The thread records' slot in glibc's own thread record ---- */

/* glibc's struct pthread is larger (2,368 bytes in 2.36), and a key below 32 lives well inside this. */
#define SLOT_SEARCH 2048
#define FIRST_BLOCK_KEYS 32

static uintptr_t thread_pointer(void) {
    uintptr_t pointer;
    __asm__("movq %%fs:0, %0" : "=r"(pointer));
    return pointer;
}

/* The single offset below SLOT_SEARCH that holds value, or -1. */
static long slot_holding(uintptr_t record, const void *value) {
    long found = -1;
    for (long offset = 8; offset < SLOT_SEARCH; offset += 8) {
        if (*(void *const *) (record + offset) == value) {
            if (found >= 0) {
                return -1;
            }
            found = offset;
        }
    }
    return found;
}

/*
 * glibc keeps a key below 32 as {sequence, value} at a fixed place in struct pthread, and pthread_getspecific
 * returns the value only while the sequence is the key's (a deleted key's stale values stay behind). Set the key to
 * two markers in turn; the one slot that follows both, with an odd sequence (glibc's mark of a key in use) beside
 * it, is the key's. On the installing thread, whose value is still null.
 */
static void find_thread_slot(void) {
    static char first, second;
    if (predicator_thread_key >= FIRST_BLOCK_KEYS || pthread_setspecific(predicator_thread_key, &first) != 0) {
        return;
    }
    uintptr_t record = thread_pointer();
    long offset = slot_holding(record, &first);
    int found = offset >= 0 && pthread_setspecific(predicator_thread_key, &second) == 0
                && *(void *const *) (record + offset) == &second && slot_holding(record, &second) == offset;
    uint64_t sequence = found ? *(const uint64_t *) (record + offset - 8) : 0;
    pthread_setspecific(predicator_thread_key, 0);
    if (found && (sequence & 1) && *(void *const *) (record + offset) == 0) {
        predicator_thread_sequence = sequence;
        predicator_thread_slot = offset;
    }
}

/*
 * Installs the handler once per process. ranges holds count pairs [start, end) of the JVM's own code (the code
 * cache, libjvm): a fault there is the JVM's even inside a plugin call (Java code of a host function).
 * Returns 0, or a negative number naming the step that failed.
 */
int predicator_install(const uint64_t *ranges, int count) {
    if (installed) {
        return 0;
    }
    if (count > MAX_RANGES) {
        return -1;
    }
    for (int i = 0; i < count; i++) {
        jvm_code[i][0] = ranges[2 * i];
        jvm_code[i][1] = ranges[2 * i + 1];
    }
    jvm_code_count = count;
    process_id = getpid();
    if (pthread_key_create(&predicator_thread_key, detach) != 0) {
        return -2;
    }
    find_thread_slot();
    int signals = (int) (sizeof(handled_signals) / sizeof(handled_signals[0]));
    for (int i = 0; i < signals; i++) {
        if (sigaction(handled_signals[i], 0, &previous_actions[handled_signals[i]]) != 0) {
            return -3;
        }
    }
    struct libc_sigaction action = {0};
    action.handler = (void *) handle;
    action.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    installed = 1;
    for (int i = 0; i < signals; i++) {
        if (sigaction(handled_signals[i], &action, 0) != 0) {
            return -4;
        }
    }
    int found = find_stop_signal();
    if (found) {
        struct libc_sigaction stop = {0};
        stop.handler = (void *) handle_stop;
        stop.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
        if (sigaction(found, &stop, 0) != 0) {
            return -5;
        }
        stop_signal = found;
    }
    return 0;
}

/* ---- Process exits, served to plugins in place of the C library's ---- */

/* Ends the current plugin call with a report; outside a plugin call there is nothing to return to. */
static void __attribute__((noreturn)) trap(int kind, int code, const char *text, size_t length) {
    struct thread *thread = installed ? pthread_getspecific(predicator_thread_key) : 0;
    struct frame *frame = thread ? current_frame(thread) : 0;
    if (!frame) {
        abort();                                      /* a thread the plugin started itself */
    }
    fill(thread->report, KIND_NONE, 0, code, 0, (uintptr_t) __builtin_return_address(0));
    copy_message(thread->report, text, length);
    thread->report->kind = kind;
    pop_frame(thread);
    predicator_resume(frame);
}

static void __attribute__((noreturn)) trap_text(int kind, int code, const char *text) {
    trap(kind, code, text, text_length(text, MESSAGE_CAPACITY));
}

void predicator_abort(void) {
    trap_text(KIND_ABORT, 0, "abort() was called");
}

void predicator_exit(int status) {
    trap_text(KIND_EXIT, status, "exit() was called");
}

void predicator_exit_now(int status) {
    trap_text(KIND_EXIT, status, "_exit() was called");
}

void predicator_quick_exit(int status) {
    trap_text(KIND_EXIT, status, "quick_exit() was called");
}

void predicator_pthread_exit(void *value) {
    (void) value;
    trap_text(KIND_EXIT, 0, "pthread_exit() was called");
}

void predicator_assert_fail(const char *assertion, const char *file, unsigned int line, const char *function) {
    char text[MESSAGE_CAPACITY];
    int length = snprintf(text, sizeof text, "assertion failed: %s (%s:%u, in %s)",
                          assertion ? assertion : "?", file ? file : "?", line, function ? function : "?");
    trap(KIND_ABORT, 0, text, length < 0 ? 0 : (size_t) length);
}

void predicator_stack_chk_fail(void) {
    trap_text(KIND_ABORT, 0, "stack smashing detected: the stack protector's canary was overwritten");
}

void predicator_chk_fail(void) {
    trap_text(KIND_ABORT, 0, "buffer overflow detected by a fortified C library function");
}

void predicator_fortify_fail(const char *message) {
    char text[MESSAGE_CAPACITY];
    int length = snprintf(text, sizeof text, "fortify failure: %s", message ? message : "?");
    trap(KIND_ABORT, 0, text, length < 0 ? 0 : (size_t) length);
}

/* void predicator_panic(const uint8_t *message, size_t length): a Rust plugin's panic handler calls it. */
void predicator_panic(const uint8_t *message, size_t length) {
    trap(KIND_PANIC, 0, message ? (const char *) message : "", message ? length : 0);
}

/* ---- Fortified memory functions, which the compiler emits under _FORTIFY_SOURCE ---- */

/* Ends the call when a fortified copy would write past its destination object. */
static void check_object(const char *function, size_t length, size_t object) {
    if (length > object) {
        char text[MESSAGE_CAPACITY];
        int written = snprintf(text, sizeof text, "buffer overflow detected: %s of %lu bytes into an object of %lu",
                               function, length, object);
        trap(KIND_ABORT, 0, text, written < 0 ? 0 : (size_t) written);
    }
}

void *predicator_memcpy_chk(void *destination, const void *source, size_t length, size_t object) {
    check_object("memcpy", length, object);
    return __builtin_memcpy(destination, source, length);
}

void *predicator_memmove_chk(void *destination, const void *source, size_t length, size_t object) {
    check_object("memmove", length, object);
    return __builtin_memmove(destination, source, length);
}

void *predicator_memset_chk(void *destination, int value, size_t length, size_t object) {
    check_object("memset", length, object);
    return __builtin_memset(destination, value, length);
}
