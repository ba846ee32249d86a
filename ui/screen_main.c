/* screen_main.c: the wizard's main screen. On 70 columns and more: header,
 * scenario bar, the list of steps with the status panel under it on the left,
 * the current step on the right, and the keys in the footer. Narrower, the
 * step takes the whole width and the status panel shrinks to one line. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui_draw.h"
#include "ui_term.h"
#include "ui_text.h"
#include "session.h"
#include "ui_wizard.h"

#define MIN_COLS 30
#define MIN_ROWS 8
#define WIDE_COLS 70

/* Draws wide string S at (Y, X), cut to MAXW columns. */
static void put_w(int y, int x, int maxw, const wchar_t *s, attr_t attr)
{
    size_t n = 0;
    int cols = 0;
    while (s[n]) {
        int cw = wcwidth(s[n]);
        cw = cw < 0 ? 1 : cw;
        if (cols + cw > maxw)
            break;
        cols += cw;
        n++;
    }
    attron(attr);
    mvaddnwstr(y, x, s, (int)n);
    attroff(attr);
}

/* Draws UTF-8 string S at (Y, X), cut to MAXW columns. */
static void put_s(int y, int x, int maxw, const char *s, attr_t attr)
{
    wchar_t *w = ui_text_decode(s, !term_utf8());
    if (w) {
        put_w(y, x, maxw, w, attr);
        free(w);
    }
}

/* The current scenario. */
static const struct pb_scenario *cur_scenario(const struct wizard *w)
{
    return &w->pb->scenarios[w->scenario];
}

/* The table's check behind step check WHICH (the trace shows the firewall's), or NULL. */
static const struct check_kind *step_kind(enum pb_check which, uint32_t *id)
{
    *id = which == PB_CHECK_TRACE ? CHECK_FIREWALL : (uint32_t)which - 1;
    return which == PB_CHECK_NONE ? NULL : check_kind(*id);
}

/* Writes the capture's panel text into BUF; sets *bad when it found a problem. */
static void capture_text(const struct evidence *st, char *buf, size_t n, int *bad)
{
    if (st->have_capture) {
        const struct hs_counts *c = &st->capture.counts;
        snprintf(buf, n, "%llu/%llu ok", (unsigned long long)c->by_class[HS_ESTABLISHED],
                 (unsigned long long)c->total);
        *bad = c->total > c->by_class[HS_ESTABLISHED];
    } else {
        snprintf(buf, n, "%s", st->capture_error[0] ? ui_word(W_UNAVAILABLE)
                               : st->capture_source[0] ? ui_word(W_RUNNING) : ui_word(W_NOT_CHECKED));
        *bad = st->capture_error[0] != 0;
    }
}

/* Writes the panel text for one check into BUF; sets *bad when it found a problem. */
static void check_text(const struct wizard *w, enum pb_check which, char *buf, size_t n, int *bad)
{
    const struct evidence *st = &w->status;
    uint32_t id;
    const struct check_kind *k = step_kind(which, &id);
    *bad = 0;
    snprintf(buf, n, "%s", st->checking ? ui_word(W_RUNNING) : ui_word(W_NOT_CHECKED));
    if (which == PB_CHECK_CAPTURE) {
        capture_text(st, buf, n, bad);
    } else if (k && st->have[id]) {
        snprintf(buf, n, "%s", k->state(&st->results[id]));
        *bad = !k->ok(&st->results[id]);
    }
}

/* The one-sentence detail of a check for the step pane, or NULL. */
static const char *check_detail(const struct wizard *w, enum pb_check which)
{
    const struct evidence *st = &w->status;
    uint32_t id;
    const struct check_kind *k = step_kind(which, &id);
    if (which == PB_CHECK_CAPTURE)
        return st->have_capture ? st->capture.summary : st->capture_error[0] ? st->capture_error : NULL;
    return k && st->have[id] ? k->summary(&st->results[id]) : NULL;
}

/* Adds the paragraphs of BODY to D: the first one (FIRST set) or the rest. */
static void add_body_part(struct doc *d, const char *body, int width, int first, int ascii)
{
    const char *split = strstr(body, "\n\n");
    if (first) {
        char *head = split ? strndup(body, (size_t)(split - body)) : strdup(body);
        if (head)
            doc_add(d, head, width, "", DOC_PLAIN, ascii);
        free(head);
    } else if (split) {
        doc_blank(d);
        doc_add(d, split + 2, width, "", DOC_PLAIN, ascii);
    }
}

/* Adds the firewall trace's state: how to start it, its countdown, the
 * decisions it saw (the rule or policy that decided each SYN). */
static void add_trace(const struct wizard *w, struct doc *d, int width, int ascii)
{
    const struct trace_view *t = &w->trace;
    char line[512];
    doc_blank(d);
    if (t->running) {
        long left = (long)(t->ends - time(NULL));
        snprintf(line, sizeof line, ui_word(W_TRACE_RUNNING), left > 0 ? left : 0, t->total);
    } else if (t->finished) {
        snprintf(line, sizeof line, ui_word(W_TRACE_DONE), t->total, t->error[0] ? " " : "", t->error);
    } else {
        snprintf(line, sizeof line, "%s", ui_word(W_TRACE_HINT));
    }
    doc_add(d, line, width, "", DOC_CHECK, ascii);
    for (unsigned i = 0; i < t->nevents; i++) {
        const struct trace_event *e = &t->events[i];
        char where[200];
        if (e->handle >= 0)
            snprintf(where, sizeof where, "%s %s %s handle %ld", e->family, e->table, e->chain, e->handle);
        else
            snprintf(where, sizeof where, "%s %s %s policy", e->family, e->table, e->chain);
        snprintf(line, sizeof line, "%s:%u -> %u: %s (%s)%s%s", e->source, e->sport, e->dport, e->verdict,
                 where, e->text[0] ? ": " : "", e->text);
        doc_add(d, line, width, "  ", strstr(e->verdict, "drop") ? DOC_WARNING : DOC_PLAIN, ascii);
    }
}

/* Builds the current step's lines: title, what to do, the commands, why, notes, check. */
static void build_step(const struct wizard *w, int width, struct doc *d)
{
    const struct pb_scenario *sc = cur_scenario(w);
    const struct pb_step *st = &sc->steps[w->step];
    int ascii = !term_utf8();
    char line[1024];

    snprintf(line, sizeof line, "%s %zu/%zu: %s%s", ui_word(W_STEP), w->step + 1, sc->nsteps,
             st->title, w->done[w->scenario][w->step] ? "  [x]" : "");
    doc_add(d, line, width, "", DOC_TITLE, ascii);
    const char *note = session_note(w->session, w->scenario, w->step);
    if (note) {
        snprintf(line, sizeof line, "%s: %s", ui_word(W_YOUR_NOTE), note);
        doc_add(d, line, width, "", DOC_NOTE, ascii);
    }
    if (st->check != PB_CHECK_NONE) {
        char value[128];
        int bad;
        const char *detail = check_detail(w, st->check);
        check_text(w, st->check, value, sizeof value, &bad);
        snprintf(line, sizeof line, "%s (%s): %s", ui_word(W_CHECK), playbook_check_name(st->check),
                 detail ? detail : value);
        doc_add(d, line, width, "", bad ? DOC_WARNING : DOC_CHECK, ascii);
    }
    if (st->check == PB_CHECK_TRACE || st->check == PB_CHECK_FIREWALL)
        add_trace(w, d, width, ascii);
    doc_blank(d);
    add_body_part(d, st->body, width, 1, ascii);
    for (size_t i = 0; i < st->ncommands; i++) {
        const struct pb_command *c = &st->commands[i];
        int sel = i == w->command;
        doc_blank(d);
        snprintf(line, sizeof line, "[%s] %s", playbook_platform_name(c->platform), c->label);
        doc_add(d, line, width, "", DOC_LABEL, ascii);
        doc_add(d, c->text, width, sel ? (ascii ? "> " : "▶ ") : "  ",
                sel ? DOC_SELECTED : DOC_COMMAND, ascii);
    }
    add_body_part(d, st->body, width, 0, ascii);
    if (st->note) {
        doc_blank(d);
        snprintf(line, sizeof line, "%s: %s", ui_word(W_NOTE), st->note);
        doc_add(d, line, width, "", DOC_NOTE, ascii);
    }
    if (st->warning) {
        doc_blank(d);
        snprintf(line, sizeof line, "%s: %s", ui_word(W_WARNING), st->warning);
        doc_add(d, line, width, "", DOC_WARNING, ascii);
    }
}

/* Draws the header: tshoot, the playbook's title, the host and the capture source. */
static void draw_header(const struct wizard *w, int cols)
{
    char right[256], left[512];
    const char *src = w->status.capture_source[0] ? w->status.capture_source : "-";
    snprintf(right, sizeof right, " %s %s  %s %s ", ui_word(W_HOST), w->host, ui_word(W_IFACE), src);
    snprintf(left, sizeof left, " tshoot: %s", w->pb->title);
    attr_t a = term_color() ? COLOR_PAIR(5) : A_REVERSE;
    attron(a);
    mvhline(0, 0, ' ', cols);
    attroff(a);
    wchar_t *wr = ui_text_decode(right, !term_utf8());
    int rw = wr ? ui_text_width(wr, wcslen(wr)) : 0;
    if (rw > cols / 2)
        rw = 0;
    put_s(0, 0, cols - rw, left, a | A_BOLD);
    if (wr && rw)
        put_w(0, cols - rw, rw, wr, a);
    free(wr);
}

/* Draws the scenario bar; the current one is reversed, the evidence's is starred. */
static void draw_scenarios(const struct wizard *w, int cols)
{
    int x = 0, ev = wizard_evidence_scenario(w);
    for (size_t i = 0; i < w->pb->nscenarios && x < cols; i++) {
        char label[300];
        snprintf(label, sizeof label, " %s%s %s: %s ", (int)i == ev ? "*" : "", ui_word(W_SCENARIO),
                 w->pb->scenarios[i].id, w->pb->scenarios[i].title);
        wchar_t *wl = ui_text_decode(label, !term_utf8());
        if (!wl)
            return;
        int lw = ui_text_width(wl, wcslen(wl));
        int room = cols - x;
        int maxw = w->pb->nscenarios > 1 ? (cols / (int)w->pb->nscenarios) : cols;
        if (lw > maxw)
            lw = maxw;
        if (lw > room)
            lw = room;
        put_w(1, x, lw, wl, i == w->scenario ? A_REVERSE | A_BOLD : ((int)i == ev ? A_BOLD : A_NORMAL));
        x += lw + 1;
        free(wl);
    }
}

/* Draws the steps of the current scenario in the left column. */
static void draw_steps(const struct wizard *w, int top, int rows, int width)
{
    const struct pb_scenario *sc = cur_scenario(w);
    int first = (int)w->step >= rows ? (int)w->step - rows + 1 : 0;
    for (int i = 0; i < rows && first + i < (int)sc->nsteps; i++) {
        size_t s = (size_t)(first + i);
        char line[512];
        snprintf(line, sizeof line, "%s%s %zu %s", s == w->step ? ">" : " ",
                 w->done[w->scenario][s] ? "[x]" : "[ ]", s + 1, sc->steps[s].title);
        put_s(top + i, 0, width, line, s == w->step ? A_REVERSE : A_NORMAL);
    }
}

/* Packets the kernel or the interface dropped before the capture saw them. */
static uint64_t capture_lost(const struct wizard *w)
{
    const struct capture_snapshot *c = &w->status.capture;
    return w->status.have_capture ? c->kernel_drops + c->iface_drops : 0;
}

/* The status panel's rows: one per check of the table, then the capture. */
#define STATUS_ROWS (CHECK_NKINDS + 1)

/* The label and value of status row I; sets *bad when it found a problem. */
static const char *status_row(const struct wizard *w, size_t i, char *value, size_t n, int *bad)
{
    const struct check_kind *k = check_kind((uint32_t)i);
    enum pb_check which = k ? (enum pb_check)(i + 1) : PB_CHECK_CAPTURE;
    check_text(w, which, value, n, bad);
    return k ? ui_pick(k->label, k->label_fr) : ui_word(W_CAPTURE);
}

/* The display width of the UTF-8 string S (its code points; the labels hold
 * no wide characters). */
static int label_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* Draws the status panel: one line per check and the capture, and the
 * packets lost to drops when there are any (the counts are then a floor). */
static void draw_status(const struct wizard *w, int top, int width)
{
    put_s(top, 0, width, ui_word(W_CHECKS), A_BOLD | A_UNDERLINE);
    for (size_t i = 0; i < STATUS_ROWS; i++) {
        char value[128], line[256];
        int bad;
        const char *label = status_row(w, i, value, sizeof value, &bad);
        int pad = 9 - label_width(label);
        snprintf(line, sizeof line, "%s%*s %s", label, pad > 0 ? pad : 0, "", value);
        int known = strcmp(value, ui_word(W_NOT_CHECKED)) && strcmp(value, ui_word(W_RUNNING));
        attr_t a = !known ? A_DIM : bad ? (term_color() ? COLOR_PAIR(3) | A_BOLD : A_BOLD)
                                        : (term_color() ? COLOR_PAIR(4) : A_NORMAL);
        put_s(top + 1 + (int)i, 0, width, line, a);
    }
    uint64_t lost = capture_lost(w);
    if (lost) {
        char line[128];
        snprintf(line, sizeof line, "%-9s %llu", ui_word(W_LOST), (unsigned long long)lost);
        put_s(top + 1 + STATUS_ROWS, 0, width, line, term_color() ? COLOR_PAIR(3) | A_BOLD : A_BOLD);
    }
}

/* Draws the status panel squeezed into one line (narrow terminals). */
static void draw_status_line(const struct wizard *w, int y, int cols)
{
    char line[512];
    size_t off = 0;
    line[0] = 0;
    for (size_t i = 0; i < STATUS_ROWS && off < sizeof line; i++) {
        char value[128];
        int bad;
        const char *label = status_row(w, i, value, sizeof value, &bad);
        off += (size_t)snprintf(line + off, sizeof line - off, "%s%s: %s", i ? " | " : "", label, value);
    }
    if (capture_lost(w) && off < sizeof line)
        snprintf(line + off, sizeof line - off, " | %s: %llu", ui_word(W_LOST),
                 (unsigned long long)capture_lost(w));
    put_s(y, 0, cols, line, A_DIM);
}

/* Draws the footer: the message of the moment, or the keys. */
static void draw_footer(const struct wizard *w, int y, int cols)
{
    mvhline(y, 0, ' ', cols);
    put_s(y, 0, cols, w->message[0] ? w->message : ui_word(W_KEYS),
          w->message[0] ? A_BOLD : A_REVERSE);
}

/* The step pane's geometry for the current terminal size. */
static void step_pane(int *top, int *left, int *width, int *height)
{
    int wide = COLS >= WIDE_COLS;
    int panel = COLS >= 110 ? 34 : 26;
    *top = 2;
    *left = wide ? panel + 2 : 0;
    *width = COLS - *left;
    *height = LINES - 3 - (wide ? 0 : 1);
}

/* Draws the main screen. */
void screen_main_draw(struct wizard *w)
{
    erase();
    if (COLS < MIN_COLS || LINES < MIN_ROWS) {
        char msg[128];
        snprintf(msg, sizeof msg, "too small: %dx%d, tshoot needs %dx%d", COLS, LINES,
                 MIN_COLS, MIN_ROWS);
        put_s(0, 0, COLS, msg, A_BOLD);
        return;
    }
    int top, left, width, height;
    step_pane(&top, &left, &width, &height);
    draw_header(w, COLS);
    draw_scenarios(w, COLS);
    if (left > 0) {
        int panel = left - 2;
        int status_rows = 1 + STATUS_ROWS + (capture_lost(w) ? 1 : 0);
        draw_steps(w, top, height - status_rows - 1, panel);
        draw_status(w, top + height - status_rows, panel);
        mvvline(top, panel + 1, term_utf8() ? ACS_VLINE : '|', height);
    } else {
        draw_status_line(w, LINES - 2, COLS);
    }

    struct doc d = { 0 };
    build_step(w, width - 1, &d);
    int maxscroll = (int)d.n > height ? (int)d.n - height : 0;
    if (w->scroll > maxscroll)
        w->scroll = maxscroll;
    if (w->scroll < 0)
        w->scroll = 0;
    for (int i = 0; i < height && w->scroll + i < (int)d.n; i++) {
        const struct doc_line *l = &d.lines[w->scroll + i];
        put_w(top + i, left, width - 1, l->text, draw_style_attr(l->style));
    }
    if (maxscroll > 0)
        put_s(top + height - 1, COLS - 3, 3, w->scroll < maxscroll ? " v " : " ^ ", A_REVERSE);
    doc_free(&d);
    draw_footer(w, LINES - 1, COLS);
}

/* Moves to step S of the current scenario, at the top, with its first command picked. */
static void go_step(struct wizard *w, size_t s)
{
    w->step = s;
    w->scroll = 0;
    w->command = 0;
    session_add(w->session, SESSION_VISIT, w->scenario, s, NULL);
    const struct pb_step *st = &cur_scenario(w)->steps[s];
    enum pb_platform mine = playbook_host_os() == PB_OS_WINDOWS ? PB_CMD
                          : playbook_host_os() == PB_OS_MACOS ? PB_MACOS : PB_LINUX;
    for (size_t i = 0; i < st->ncommands; i++)
        if (st->commands[i].platform == mine) {
            w->command = i;
            break;
        }
}

/* Switches to scenario I, at its first step not done yet. */
static void go_scenario(struct wizard *w, size_t i)
{
    if (i >= w->pb->nscenarios)
        return;
    w->scenario = i;
    size_t s = 0;
    while (s + 1 < w->pb->scenarios[i].nsteps && w->done[i][s])
        s++;
    go_step(w, s);
}

/* Shows scenario I at its first step not done yet. */
void screen_main_show_scenario(struct wizard *w, size_t i)
{
    go_scenario(w, i);
}

/* Puts the main screen on the first scenario's first step. */
void screen_main_init(struct wizard *w)
{
    go_scenario(w, 0);
}

/* Handles a key on the main screen. */
void screen_main_key(struct wizard *w, int key)
{
    const struct pb_scenario *sc = cur_scenario(w);
    const struct pb_step *st = &sc->steps[w->step];
    int page = LINES > 6 ? LINES - 5 : 1;
    w->message[0] = 0;
    switch (key) {
    case 'n': case UI_FKEY(KEY_RIGHT):
        if (w->step + 1 < sc->nsteps)
            go_step(w, w->step + 1);
        break;
    case 'p': case UI_FKEY(KEY_LEFT):
        if (w->step > 0)
            go_step(w, w->step - 1);
        break;
    case 'j': case UI_FKEY(KEY_DOWN): w->scroll++; break;
    case 'k': case UI_FKEY(KEY_UP): w->scroll--; break;
    case UI_FKEY(KEY_NPAGE): w->scroll += page; break;
    case UI_FKEY(KEY_PPAGE): w->scroll -= page; break;
    case UI_FKEY(KEY_HOME): w->scroll = 0; break;
    case ' ': case 'd':
        w->done[w->scenario][w->step] ^= 1;
        session_add(w->session, w->done[w->scenario][w->step] ? SESSION_DONE : SESSION_UNDONE,
                    w->scenario, w->step, NULL);
        wizard_save(w, 0);
        break;
    case 'e':
        w->screen = SCREEN_NOTE;
        w->note_len = 0;
        break;
    case 's':
        wizard_save(w, 1);
        break;
    case '\t':
        go_scenario(w, (w->scenario + 1) % w->pb->nscenarios);
        break;
    case ']':
        if (st->ncommands)
            w->command = (w->command + 1) % st->ncommands;
        break;
    case '[':
        if (st->ncommands)
            w->command = (w->command + st->ncommands - 1) % st->ncommands;
        break;
    case 'c':
        if (st->ncommands && term_copy(st->commands[w->command].text) < 0) {
            snprintf(w->message, sizeof w->message, "%s", ui_word(W_NOT_COPIED));
        } else if (st->ncommands) {
            session_add(w->session, SESSION_COPY, w->scenario, w->step, st->commands[w->command].text);
            snprintf(w->message, sizeof w->message, "%s %s", ui_word(W_COPIED),
                     st->commands[w->command].text);
        }
        break;
    case 'r':
        wizard_run_checks(w);
        break;
    case 't':
        if (st->check == PB_CHECK_TRACE || st->check == PB_CHECK_FIREWALL)
            wizard_run_trace(w);
        break;
    case 'x':
        w->screen = SCREEN_EXPLAIN;
        w->explain = 0;
        break;
    case '?': case 'h': case UI_FKEY(KEY_F(1)):
        w->screen = SCREEN_HELP;
        break;
    case 'q': case 'Q': case 27:
        w->quit = 1;
        break;
    default:
        if (key >= '1' && key <= '9')
            go_scenario(w, (size_t)(key - '1'));
        break;
    }
}
