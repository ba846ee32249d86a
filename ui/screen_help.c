/* screen_help.c: the help overlay, a box listing the keys over the main screen. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "ui_term.h"
#include "ui_text.h"
#include "ui_wizard.h"

/* Draws the help box centred over the main screen. */
void screen_help_draw(struct wizard *w)
{
    struct doc d = { 0 };
    int width = COLS - 4 < 72 ? COLS - 4 : 72;
    if (width < 10)
        return;
    doc_add(&d, ui_word(W_HELP), width - 4, "", DOC_PLAIN, !term_utf8());
    int height = (int)d.n + 4 < LINES - 2 ? (int)d.n + 4 : LINES - 2;
    int top = (LINES - height) / 2, left = (COLS - width) / 2;
    (void)w;
    for (int y = 0; y < height; y++)
        mvhline(top + y, left, ' ', width);
    attron(A_BOLD);
    mvhline(top, left, term_utf8() ? ACS_HLINE : '-', width);
    mvhline(top + height - 1, left, term_utf8() ? ACS_HLINE : '-', width);
    mvvline(top, left, term_utf8() ? ACS_VLINE : '|', height);
    mvvline(top, left + width - 1, term_utf8() ? ACS_VLINE : '|', height);
    wchar_t *title = ui_text_decode(ui_word(W_HELP_TITLE), !term_utf8());
    if (title) {
        mvaddwstr(top, left + 2, title);
        free(title);
    }
    attroff(A_BOLD);
    for (int i = 0; i < height - 4 && i < (int)d.n; i++)
        mvaddnwstr(top + 2 + i, left + 2, d.lines[i].text, width - 4);
    doc_free(&d);
}

/* Any key closes the help. */
void screen_help_key(struct wizard *w, int key)
{
    (void)key;
    w->screen = SCREEN_MAIN;
}
