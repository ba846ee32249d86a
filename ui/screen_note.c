/* screen_note.c: the one-line note editor that the e key opens over the
 * footer; the note goes into the session report with the step it belongs to. */
#include <curses.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "session.h"
#include "ui_term.h"
#include "ui_text.h"
#include "ui_wizard.h"

/* Draws the prompt and the note typed so far, with the cursor after it. */
void screen_note_draw(struct wizard *w)
{
    wchar_t *prompt = ui_text_decode(ui_word(W_NOTE_PROMPT), !term_utf8());
    if (!prompt)
        return;
    int y = LINES - 1, pw = ui_text_width(prompt, wcslen(prompt));
    mvhline(y, 0, ' ', COLS);
    attron(A_BOLD);
    mvaddnwstr(y, 0, prompt, COLS);
    attroff(A_BOLD);
    /* show the end of the note when it is wider than the room left */
    size_t first = 0;
    while (first < w->note_len && pw + ui_text_width(w->note + first, w->note_len - first) >= COLS)
        first++;
    if (pw < COLS)
        mvaddnwstr(y, pw, w->note + first, (int)(w->note_len - first));
    free(prompt);
    curs_set(1);
}

/* Keeps the note typed so far as the step's note (UTF-8). */
static void keep_note(struct wizard *w)
{
    char buf[sizeof w->note / sizeof w->note[0] * 4 + 1];
    size_t o = 0;
    for (size_t i = 0; i < w->note_len; i++) {
        char mb[MB_LEN_MAX];
        int n = wctomb(mb, w->note[i]);
        if (n > 0 && o + (size_t)n < sizeof buf) {
            memcpy(buf + o, mb, (size_t)n);
            o += (size_t)n;
        }
    }
    buf[o] = 0;
    if (o) {
        session_add(w->session, SESSION_NOTE, w->scenario, w->step, buf);
        wizard_save(w, 0);
    }
}

/* Handles a key in the note editor. */
void screen_note_key(struct wizard *w, int key)
{
    switch (key) {
    case '\r': case '\n': case UI_FKEY(KEY_ENTER):
        keep_note(w);
        /* fall through */
    case 27:
        w->screen = SCREEN_MAIN;
        curs_set(0);
        break;
    case 127: case 8: case UI_FKEY(KEY_BACKSPACE):
        if (w->note_len)
            w->note_len--;
        break;
    default:
        if (key < 0x200000 && iswprint((wint_t)key) &&
            w->note_len + 1 < sizeof w->note / sizeof w->note[0])
            w->note[w->note_len++] = (wchar_t)key;
        break;
    }
    w->note[w->note_len] = 0;
}
