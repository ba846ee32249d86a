/* ui_term.h: the terminal under the wizard: opening it in curses mode, waiting
 * for keys, resizes and signals without busy polling, and giving the terminal
 * back on every way out (quit, any signal that would end the process, a crash). */
#ifndef TSHOOT_UI_TERM_H
#define TSHOOT_UI_TERM_H

/* What term_wait() saw. */
#define TERM_KEY    1   /* a key is ready for getch() */
#define TERM_RESIZE 2   /* the window changed size (already applied) */
#define TERM_QUIT   4   /* a terminating signal arrived (term.c's list), or the terminal went away */
#define TERM_EXTRA  8   /* one of the caller's descriptors is readable */

/* Opens the terminal in curses mode. Returns 0, or -1 with *cause and *status
 * (2: no terminal, 3: a terminal curses cannot drive). */
int term_open(int *status, char **cause);

/* Whether the terminal shows UTF-8 (else text is folded to ASCII). */
int term_utf8(void);

/* Whether colours are used (not with NO_COLOR or a monochrome terminal). */
int term_color(void);

/* Blocks until a key, a resize, a quit signal or one of the N descriptors in
 * FDS, or TIMEOUT_MS milliseconds (-1: no time limit) have passed. */
int term_wait(const int *fds, int n, int timeout_ms);

/* The signal that asked to quit, or 0. */
int term_quit_signal(void);

/* Gives the terminal back (endwin); safe to call more than once. */
void term_close(void);

/* Writes an OSC 52 sequence putting TEXT on the terminal's clipboard.
 * Returns 0, or -1 when TEXT holds a control character (nothing is copied). */
int term_copy(const char *text);

#endif
