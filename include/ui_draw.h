/* ui_draw.h: drawing pieces shared by the wizard's screens. Main thread only. */
#ifndef TSHOOT_UI_DRAW_H
#define TSHOOT_UI_DRAW_H

#include <curses.h>

#include "ui_text.h"

/* The curses attribute for a document style (colours unless NO_COLOR). */
attr_t draw_style_attr(enum doc_style s);

/* The width of an overlay box: the screen less a margin, at most MAX columns. */
int draw_box_width(int max);

/* Draws D in a box WIDTH columns wide centred on the screen, TITLE (UTF-8) on
 * its top border; lines that do not fit are cut. */
void draw_box(const char *title, const struct doc *d, int width);

#endif
