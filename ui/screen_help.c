/* screen_help.c: the help overlay, a box listing the keys over the main screen. */
#include "ui_draw.h"
#include "ui_term.h"
#include "ui_text.h"
#include "ui_wizard.h"

/* Draws the help box centred over the main screen. */
void screen_help_draw(struct wizard *w)
{
    struct doc d = { 0 };
    int width = draw_box_width(72);
    (void)w;
    doc_add(&d, ui_word(W_HELP), width - 4, "", DOC_PLAIN, !term_utf8());
    draw_box(ui_word(W_HELP_TITLE), &d, width);
    doc_free(&d);
}

/* Any key closes the help. */
void screen_help_key(struct wizard *w, int key)
{
    (void)key;
    w->screen = SCREEN_MAIN;
}
