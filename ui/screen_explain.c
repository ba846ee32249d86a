/* screen_explain.c: the explain overlay (key x): what SYN, SYN-ACK, ACK, RST
 * and ICMP unreachable mean, what the client's retransmissions show, why the
 * evidence points where it does, and the ladder of one captured attempt
 * (up/down picks which). */
#include <curses.h>
#include <stdio.h>

#include "ui_draw.h"
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
        size_t off = (size_t)snprintf(line, sizeof line, "%s %llu:", ui_word(W_EXPLAIN_COUNTS),
                                      (unsigned long long)c->counts.total);
        for (int k = 0; k < HS_NCLASSES && off < sizeof line; k++)
            off += (size_t)snprintf(line + off, sizeof line - off, "%s %s %llu", k ? "," : "",
                                    capture_class_name((enum hs_class)k),
                                    (unsigned long long)c->counts.by_class[k]);
        doc_add(d, line, width, "", DOC_PLAIN, ascii);
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
    struct doc d = { 0 };
    int width = draw_box_width(84);
    build_explain(w, width - 4, &d);
    draw_box(ui_word(W_EXPLAIN_TITLE), &d, width);
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
