/* ui_text.h: text for the screen: UTF-8 decoding (with an ASCII fallback for
 * terminals that are not UTF-8), word wrapping by display width, and the
 * wizard's own words in each language. */
#ifndef TSHOOT_UI_TEXT_H
#define TSHOOT_UI_TEXT_H

#include <stddef.h>
#include <wchar.h>

/* How a line of a document is drawn. */
enum doc_style { DOC_PLAIN, DOC_TITLE, DOC_LABEL, DOC_COMMAND, DOC_SELECTED, DOC_NOTE,
                 DOC_WARNING, DOC_CHECK, DOC_DIM };

struct doc_line {
    wchar_t *text;
    enum doc_style style;
};

/* A list of screen lines, each at most the width it was wrapped to. */
struct doc {
    struct doc_line *lines;
    size_t n, cap;
};

/* Decodes UTF-8 S into a malloc'd wide string; with ASCII set, letters the
 * terminal cannot show become their nearest ASCII ("é" -> "e", "«" -> "\""). */
wchar_t *ui_text_decode(const char *s, int ascii);

/* The display width of W (wcwidth, with unknown characters as 1). */
int ui_text_width(const wchar_t *w, size_t n);

/* Wraps S (UTF-8, '\n' breaks lines) to WIDTH columns, each line starting with
 * INDENT, and appends the lines to D in STYLE. */
void doc_add(struct doc *d, const char *s, int width, const char *indent, enum doc_style style,
             int ascii);

/* Appends an empty line. */
void doc_blank(struct doc *d);

/* Releases the lines. */
void doc_free(struct doc *d);

/* The wizard's own words. */
enum ui_word { W_STEP, W_SCENARIO, W_CHECKS, W_CAPTURE,
               W_NOT_CHECKED, W_NOTE, W_WARNING, W_DONE, W_CHECK, W_HOST, W_IFACE, W_EVIDENCE,
               W_COPIED, W_KEYS, W_HELP_TITLE, W_HELP, W_RUNNING, W_UNAVAILABLE, W_YOUR_NOTE, W_NOTE_PROMPT, W_SAVED, W_EVIDENCE_POINTS, W_TRACE_HINT, W_TRACE_RUNNING, W_TRACE_DONE, W_EXPLAIN_TITLE, W_EXPLAIN_TEXT, W_EXPLAIN_NONE, W_EXPLAIN_VERDICT,
               W_EXPLAIN_ATTEMPT, W_EXPLAIN_COUNTS, W_LOST, W_NOT_COPIED, W_NWORDS };

/* Selects the language of the wizard's own words ("fr", else English). */
void ui_text_set_lang(const char *lang);

/* One of the wizard's own words in the selected language. */
const char *ui_word(enum ui_word w);

/* EN or FR, whichever is the selected language (checks.h's labels). */
const char *ui_pick(const char *en, const char *fr);

#endif
