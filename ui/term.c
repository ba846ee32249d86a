/* term.c: the terminal's life cycle. Signals and resizes come through a
 * self-pipe so the main loop can sleep in poll() with no timeout: idle, the
 * wizard uses no CPU. Every way out restores the terminal first. */
#include "ui_term.h"

#include <curses.h>
#include <term.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "notify_pipe.h"
#include "text.h"

static int wake_pipe[2] = { -1, -1 };
static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t resized;
static int is_open;
static int utf8;
static int color;
static SCREEN *screen;

/* Records a signal and wakes the main loop. */
static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGWINCH)
        resized = 1;
    else
        quit_signal = sig;
    if (wake_pipe[1] >= 0)
        notify_pipe_wake(wake_pipe[1]);   /* a write(2): async-signal-safe */
    errno = saved;
}

/* Restores the terminal on a crash, then lets the signal kill the process. */
static void on_crash(int sig)
{
    term_close();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The signals whose default action ends the process and that a person or
 * the system sends on purpose (a terminal's Ctrl-C and Ctrl-\, kill, a
 * hang-up, CPU and file size limits, timers): each ends the wizard through
 * its loop, so the terminal comes back and the report is saved, and then the
 * process ends with that same signal. SIGPIPE is ignored (a write fails
 * instead); SIGUSR2 is the capture engine's, to cut a read short (capture.c);
 * the real-time signals are handled in install_signals(). */
static const int quit_signals[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGALRM, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF,
#ifdef SIGIO
    SIGIO,
#endif
#ifdef SIGPWR
    SIGPWR,
#endif
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
};

/* Faults: the state cannot be trusted to save a report; the terminal is
 * restored and the signal then ends the process (with its core dump). */
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGILL, SIGTRAP, SIGSYS };

/* Installs the handlers for quit, resize and crash signals. */
static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    for (size_t i = 0; i < sizeof quit_signals / sizeof quit_signals[0]; i++)
        sigaction(quit_signals[i], &sa, NULL);
#ifdef SIGRTMIN
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
        sigaction(sig, &sa, NULL);
#endif
    sigaction(SIGWINCH, &sa, NULL);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        sigaction(crash_signals[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Whether the environment asks for a UTF-8 locale. */
static int env_wants_utf8(void)
{
    static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
    }
    return 0;
}

/* Sets the locale; when the one asked for is UTF-8 but not installed, C.UTF-8
 * is used for the character set so that accents still show. */
static void setup_locale(void)
{
    setlocale(LC_ALL, "");
    utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
    if (!utf8 && env_wants_utf8() && setlocale(LC_CTYPE, "C.UTF-8"))
        utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
}

/* Opens the terminal in curses mode. */
int term_open(int *status, char **cause)
{
    *cause = NULL;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        *status = 2;
        *cause = strdup("the wizard needs a terminal; without one use tshoot analyze FILE, "
                        "tshoot watch, tshoot check or tshoot lint");
        return -1;
    }
    setup_locale();
    if (notify_pipe_open(wake_pipe) < 0) {
        *status = 3;
        *cause = strdup(strerror(errno));
        return -1;
    }
    install_signals();   /* before newterm, so curses keeps ours for SIGWINCH */
    screen = newterm(NULL, stdout, stdin);
    if (!screen) {
        const char *t = getenv("TERM");
        *status = 3;
        if (asprintf(cause, "cannot drive the terminal type '%s' (set TERM, e.g. TERM=xterm)",
                     t ? t : "") < 0)
            *cause = NULL;
        return -1;
    }
    is_open = 1;
    const char *cup = tigetstr("cup");
    if (!cup || cup == (char *)-1) {
        const char *t = getenv("TERM");
        term_close();
        *status = 3;
        if (asprintf(cause, "the terminal type '%s' cannot move the cursor: set TERM (e.g. "
                            "TERM=xterm or vt100), or use tshoot analyze, watch or check",
                     t ? t : "") < 0)
            *cause = NULL;
        return -1;
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    const char *nc = getenv("NO_COLOR");
    color = has_colors() && !(nc && *nc);
    if (color) {
        start_color();
        use_default_colors();
        init_pair(1, COLOR_CYAN, -1);     /* commands */
        init_pair(2, COLOR_YELLOW, -1);   /* notes */
        init_pair(3, COLOR_RED, -1);      /* warnings, problems */
        init_pair(4, COLOR_GREEN, -1);    /* healthy */
        init_pair(5, COLOR_BLACK, COLOR_CYAN); /* header */
    }
    return 0;
}

/* Whether the terminal shows UTF-8. */
int term_utf8(void)
{
    return utf8;
}

/* Whether colours are used. */
int term_color(void)
{
    return color;
}

/* Applies a new window size to curses. */
static void apply_resize(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
        resizeterm(ws.ws_row, ws.ws_col);
}

/* Blocks until a key, a resize, a quit signal, one of the caller's descriptors or the timeout. */
int term_wait(const int *fds, int n, int timeout_ms)
{
    struct pollfd p[10];
    int np = 0, what = 0;
    p[np++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
    p[np++] = (struct pollfd){ .fd = wake_pipe[0], .events = POLLIN };
    for (int i = 0; i < n && np < 10; i++)
        p[np++] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
    if (!resized && !quit_signal && poll(p, (nfds_t)np, timeout_ms) < 0 && errno != EINTR)
        return TERM_QUIT;
    notify_pipe_drain(wake_pipe[0]);
    if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
        what |= TERM_QUIT;
    if (p[0].revents & POLLIN)
        what |= TERM_KEY;
    for (int i = 2; i < np; i++)
        if (p[i].revents)
            what |= TERM_EXTRA;
    if (resized) {
        resized = 0;
        apply_resize();
        what |= TERM_RESIZE;
    }
    if (quit_signal)
        what |= TERM_QUIT;
    return what;
}

/* The signal that asked to quit, or 0. */
int term_quit_signal(void)
{
    return quit_signal;
}

/* Gives the terminal back; safe to call more than once. */
void term_close(void)
{
    if (!is_open)
        return;
    is_open = 0;
    endwin();
    fflush(stdout);
}

/* Puts TEXT on the terminal's clipboard with OSC 52 (base64 payload); -1,
 * copying nothing, when TEXT holds a control character (a newline or an
 * escape would run or hide something once pasted into a shell). */
int term_copy(const char *text)
{
    if (text_has_controls(text, 0))
        return -1;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(text);
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    size_t o = 0;
    if (!out)
        return -1;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)text[i] << 16;
        if (i + 1 < n) v |= (unsigned char)text[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)text[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = 0;
    fprintf(stdout, "\033]52;c;%s\a", out);
    fflush(stdout);
    free(out);
    return 0;
}
