/* screen_explain.c: the explain overlay (key x): what SYN, SYN-ACK, ACK, RST
 * and ICMP unreachable mean, what the client's retransmissions show, why the
 * evidence points where it does, and the ladder of one captured attempt
 * (up/down picks which). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_term.h"
#include "ui_text.h"
#include "ui_wizard.h"

/* Builds the overlay's lines at WIDTH columns: this capture first (verdict,
 * one attempt's ladder), then what the packets mean. */
static void build_explain(const struct wizard *w, int width, struct doc *d)
{
    const struct evidence *ev = &w->status;
    int ascii = !term_utf8();
    char line[512];
    if (!ev->have_capture || ev->capture.nrecent == 0) {
        doc_add(d, ui_word(W_EXPLAIN_NONE), width, "", DOC_DIM, ascii);
    } else {
        const struct capture_snapshot *c = &ev->capture;
        snprintf(line, sizeof line, ui_word(W_EXPLAIN_VERDICT), c->summary, c->verdict_code);
        doc_add(d, line, width, "", DOC_CHECK, ascii);
        unsigned sel = w->explain < c->nrecent ? w->explain : 0;
        const struct capture_attempt *a = &c->recent[sel];
        snprintf(line, sizeof line, ui_word(W_EXPLAIN_ATTEMPT), sel + 1, c->nrecent, a->client, a->server,
                 capture_class_name(a->cls), a->syn_count);
        doc_blank(d);
        doc_add(d, line, width, "", DOC_TITLE, ascii);
        for (unsigned i = 0; i < a->nladder; i++)
            doc_add(d, a->ladder[i], width, "", DOC_COMMAND, ascii);
    }
    doc_blank(d);
    doc_add(d, ui_word(W_EXPLAIN_TEXT), width, "", DOC_PLAIN, ascii);
}

/* Draws the overlay centred over the main screen. */
void screen_explain_draw(struct wizard *w)
{
    int width = COLS - 2 < 84 ? COLS - 2 : 84;
    if (width < 20 || LINES < 8)
        return;
    struct doc d = { 0 };
    build_explain(w, width - 4, &d);
    int height = (int)d.n + 4 < LINES - 2 ? (int)d.n + 4 : LINES - 2;
    int top = (LINES - height) / 2, left = (COLS - width) / 2;
    for (int y = 0; y < height; y++)
        mvhline(top + y, left, ' ', width);
    attron(A_BOLD);
    mvhline(top, left, term_utf8() ? ACS_HLINE : '-', width);
    mvhline(top + height - 1, left, term_utf8() ? ACS_HLINE : '-', width);
    mvvline(top, left, term_utf8() ? ACS_VLINE : '|', height);
    mvvline(top, left + width - 1, term_utf8() ? ACS_VLINE : '|', height);
    wchar_t *title = ui_text_decode(ui_word(W_EXPLAIN_TITLE), !term_utf8());
    if (title) {
        mvaddnwstr(top, left + 2, title, width - 4);
        free(title);
    }
    attroff(A_BOLD);
    for (int i = 0; i < height - 4 && i < (int)d.n; i++) {
        attr_t a = d.lines[i].style == DOC_TITLE ? A_BOLD
                 : d.lines[i].style == DOC_COMMAND ? (term_color() ? COLOR_PAIR(1) : A_NORMAL)
                 : d.lines[i].style == DOC_CHECK ? A_BOLD : A_NORMAL;
        attron(a);
        mvaddnwstr(top + 2 + i, left + 2, d.lines[i].text, width - 4);
        attroff(a);
    }
    doc_free(&d);
}

/* Up and down pick the attempt; any other key closes the overlay. */
void screen_explain_key(struct wizard *w, int key)
{
    unsigned n = w->status.have_capture ? w->status.capture.nrecent : 0;
    if (key == UI_FKEY(KEY_DOWN) || key == 'j') {
        if (w->explain + 1 < n)
            w->explain++;
    } else if (key == UI_FKEY(KEY_UP) || key == 'k') {
        if (w->explain > 0)
            w->explain--;
    } else {
        w->screen = SCREEN_MAIN;
    }
}
