/* draw.c: drawing pieces shared by the screens: the attribute of each
 * document style and the centred box of the help and explain overlays. */
#include "ui_draw.h"

#include <stdlib.h>

#include "ui_term.h"

/* The curses attribute for a document style. */
attr_t draw_style_attr(enum doc_style s)
{
    int c = term_color();
    switch (s) {
    case DOC_TITLE: return A_BOLD;
    case DOC_LABEL: return A_BOLD;
    case DOC_COMMAND: return c ? COLOR_PAIR(1) : A_UNDERLINE;
    case DOC_SELECTED: return A_REVERSE;
    case DOC_NOTE: return c ? COLOR_PAIR(2) : A_NORMAL;
    case DOC_WARNING: return A_BOLD | (c ? COLOR_PAIR(3) : 0);
    case DOC_CHECK: return A_BOLD | (c ? COLOR_PAIR(4) : 0);
    case DOC_DIM: return A_DIM;
    default: return A_NORMAL;
    }
}

/* The width of an overlay box. */
int draw_box_width(int max)
{
    return COLS - 2 < max ? COLS - 2 : max;
}

/* Draws D in a centred box with TITLE on its top border. */
void draw_box(const char *title, const struct doc *d, int width)
{
    if (width < 10 || LINES < 6)
        return;
    int height = (int)d->n + 4 < LINES - 2 ? (int)d->n + 4 : LINES - 2;
    int top = (LINES - height) / 2, left = (COLS - width) / 2;
    int ascii = !term_utf8();
    for (int y = 0; y < height; y++)
        mvhline(top + y, left, ' ', width);
    attron(A_BOLD);
    mvhline(top, left, ascii ? '-' : ACS_HLINE, width);
    mvhline(top + height - 1, left, ascii ? '-' : ACS_HLINE, width);
    mvvline(top, left, ascii ? '|' : ACS_VLINE, height);
    mvvline(top, left + width - 1, ascii ? '|' : ACS_VLINE, height);
    wchar_t *t = ui_text_decode(title, ascii);
    if (t) {
        mvaddnwstr(top, left + 2, t, width - 4);
        free(t);
    }
    attroff(A_BOLD);
    for (int i = 0; i < height - 4 && i < (int)d->n; i++) {
        attr_t a = draw_style_attr(d->lines[i].style);
        attron(a);
        mvaddnwstr(top + 2 + i, left + 2, d->lines[i].text, width - 4);
        attroff(a);
    }
}
