/* ui_text.c: decoding, wrapping and the wizard's own words. The screen is
 * drawn from wide strings; when the terminal's locale is not UTF-8 the text is
 * folded to ASCII so that French stays readable instead of turning to mojibake. */
#include "ui_text.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

static int lang_fr;

static const char *const words_en[W_NWORDS] = {
    [W_STEP] = "Step", [W_SCENARIO] = "Scenario", [W_CHECKS] = "Checks",
    [W_CAPTURE] = "Capture", [W_NOT_CHECKED] = "not checked", [W_NOTE] = "Note",
    [W_WARNING] = "Warning", [W_DONE] = "done", [W_CHECK] = "Check",
    [W_HOST] = "host", [W_IFACE] = "capture", [W_EVIDENCE] = "evidence",
    [W_COPIED] = "Copied to the clipboard (OSC 52):", [W_RUNNING] = "checking...",
    [W_UNAVAILABLE] = "unavailable", [W_YOUR_NOTE] = "Your note",
    [W_NOTE_PROMPT] = "Note (Enter keeps it, Esc drops it): ", [W_SAVED] = "Report saved:",
    [W_EVIDENCE_POINTS] = "The evidence points to scenario",
    [W_TRACE_HINT] = "Press t to trace for 30 s which firewall rule decides each SYN (retry the connection meanwhile).",
    [W_TRACE_RUNNING] = "Tracing the firewall: %ld s left, %u SYN(s) seen. Retry the connection now.",
    [W_TRACE_DONE] = "Trace finished: %u SYN(s) seen.%s%s",
    [W_EXPLAIN_TITLE] = "What the capture shows (up/down: another attempt, any key: close)",
    [W_EXPLAIN_TEXT] =
        "A TCP connection opens with three packets. SYN: the client asks to connect. "
        "SYN-ACK: the server agrees. ACK: the client confirms; the handshake is complete.\n"
        "RST: a \"no\" in TCP: nothing listens on the port, or a firewall refuses politely.\n"
        "ICMP unreachable: a router or host says the packet cannot be delivered; "
        "code 13 (IPv6: code 1) means a firewall forbids it.\n"
        "No answer at all: the client sends its SYN again after 1 s, then 2, 4, 8 s (each "
        "system has its own schedule). Several SYNs and nothing back mean a silent drop: "
        "at the server (scenario 1) or on the way (scenario 2). Only a capture at the "
        "server tells which: if the SYN arrives there, it is the server.",
    [W_EXPLAIN_NONE] = "No connection attempt captured yet: start the connection from the client.",
    [W_EXPLAIN_VERDICT] = "This capture: %s (%s)",
    [W_EXPLAIN_ATTEMPT] = "Attempt %u of %u: %s to %s, %s, %u SYN(s)",
    [W_LOST] = "Dropped", [W_EXPLAIN_COUNTS] = "Attempts",
    [W_NOT_COPIED] = "Not copied: the command holds control characters (see tshoot lint).",
    [W_KEYS] = "n/p step  space done  tab scenario  c copy  e note  s save  ? all keys  q quit",
    [W_HELP_TITLE] = "Keys",
    [W_HELP] =
        "n, right arrow     next step\n"
        "p, left arrow      previous step\n"
        "up, down, j, k     scroll the step\n"
        "PgUp, PgDn         scroll a page\n"
        "space, d           mark the step done (or not)\n"
        "tab, 1-9           switch scenario\n"
        "[ and ]            pick the previous or next command\n"
        "c                  copy the picked command (OSC 52)\n"
        "e                  write a note on the step\n"
        "s                  save the session report\n"
        "r                  run the checks again\n"
        "t                  trace the firewall's decisions (firewall steps)\n"
        "x                  explain the capture: SYN, RST, ICMP, the ladder\n"
        "?, h, F1           this help\n"
        "q, Esc             quit\n"
        "\n"
        "Commands are shown and copied, never run by tshoot.\n"
        "Any key closes this help.",
};

static const char *const words_fr[W_NWORDS] = {
    [W_STEP] = "Étape", [W_SCENARIO] = "Scénario", [W_CHECKS] = "Vérifications",
    [W_CAPTURE] = "Capture", [W_NOT_CHECKED] = "non vérifié", [W_NOTE] = "Remarque",
    [W_WARNING] = "Attention", [W_DONE] = "fait", [W_CHECK] = "Vérification",
    [W_HOST] = "hôte", [W_IFACE] = "capture", [W_EVIDENCE] = "indices",
    [W_COPIED] = "Copié dans le presse-papiers (OSC 52) :", [W_RUNNING] = "vérification...",
    [W_UNAVAILABLE] = "indisponible", [W_YOUR_NOTE] = "Votre note",
    [W_NOTE_PROMPT] = "Note (Entrée la garde, Échap l'abandonne) : ", [W_SAVED] = "Rapport enregistré :",
    [W_EVIDENCE_POINTS] = "Les indices désignent le scénario",
    [W_TRACE_HINT] = "Touche t : suivre 30 s quelle règle du pare-feu décide de chaque SYN (relancez la connexion pendant ce temps).",
    [W_TRACE_RUNNING] = "Suivi du pare-feu : encore %ld s, %u SYN vu(s). Relancez la connexion maintenant.",
    [W_TRACE_DONE] = "Suivi terminé : %u SYN vu(s).%s%s",
    [W_EXPLAIN_TITLE] = "Ce que montre la capture (haut/bas : autre tentative, une touche : fermer)",
    [W_EXPLAIN_TEXT] =
        "Une connexion TCP s'ouvre en trois paquets. SYN : le client demande à se connecter. "
        "SYN-ACK : le serveur accepte. ACK : le client confirme ; la poignée de main est faite.\n"
        "RST : le « non » de TCP : rien n'écoute sur le port, ou un pare-feu refuse poliment.\n"
        "ICMP inaccessible : un routeur ou un hôte signale que le paquet ne peut être remis ; "
        "le code 13 (IPv6 : code 1) veut dire qu'un pare-feu l'interdit.\n"
        "Aucune réponse : le client renvoie son SYN au bout de 1 s, puis 2, 4, 8 s (chaque "
        "système a son propre rythme). Plusieurs SYN sans retour signalent un rejet "
        "silencieux : sur le serveur (scénario 1) ou en chemin (scénario 2). Seule une "
        "capture sur le serveur tranche : si le SYN y arrive, c'est le serveur.",
    [W_EXPLAIN_NONE] = "Aucune tentative de connexion capturée : lancez la connexion depuis le client.",
    [W_EXPLAIN_VERDICT] = "Cette capture : %s (%s)",
    [W_EXPLAIN_ATTEMPT] = "Tentative %u sur %u : de %s vers %s, %s, %u SYN",
    [W_LOST] = "Perdus", [W_EXPLAIN_COUNTS] = "Tentatives",
    [W_NOT_COPIED] = "Pas copié : la commande contient des caractères de contrôle (voir tshoot lint).",
    [W_KEYS] = "n/p étape  espace fait  tab scénario  c copier  e note  s rapport  ? aide  q fin",
    [W_HELP_TITLE] = "Touches",
    [W_HELP] =
        "n, flèche droite   étape suivante\n"
        "p, flèche gauche   étape précédente\n"
        "haut, bas, j, k    faire défiler l'étape\n"
        "PgUp, PgDn         défiler d'une page\n"
        "espace, d          marquer l'étape faite (ou non)\n"
        "tab, 1-9           changer de scénario\n"
        "[ et ]             choisir la commande précédente ou suivante\n"
        "c                  copier la commande choisie (OSC 52)\n"
        "e                  écrire une note sur l'étape\n"
        "s                  enregistrer le rapport de session\n"
        "r                  relancer les vérifications\n"
        "t                  suivre les décisions du pare-feu (étapes pare-feu)\n"
        "x                  expliquer la capture : SYN, RST, ICMP, l'échelle\n"
        "?, h, F1           cette aide\n"
        "q, Échap           quitter\n"
        "\n"
        "Les commandes sont affichées et copiées, jamais exécutées par tshoot.\n"
        "Une touche quelconque ferme l'aide.",
};

/* Selects the language of the wizard's own words. */
void ui_text_set_lang(const char *lang)
{
    lang_fr = lang && !strcmp(lang, "fr");
}

/* One of the wizard's own words in the selected language. */
const char *ui_word(enum ui_word w)
{
    return lang_fr ? words_fr[w] : words_en[w];
}

/* EN or FR, whichever is the selected language. */
const char *ui_pick(const char *en, const char *fr)
{
    return lang_fr ? fr : en;
}

/* The nearest ASCII for a code point a non-UTF-8 terminal cannot show. */
static const char *ascii_fold(wchar_t c)
{
    static const struct { wchar_t from; const char *to; } map[] = {
        { 0xe0, "a" }, { 0xe2, "a" }, { 0xe4, "a" }, { 0xe7, "c" }, { 0xe8, "e" },
        { 0xe9, "e" }, { 0xea, "e" }, { 0xeb, "e" }, { 0xee, "i" }, { 0xef, "i" },
        { 0xf4, "o" }, { 0xf6, "o" }, { 0xf9, "u" }, { 0xfb, "u" }, { 0xfc, "u" },
        { 0xc0, "A" }, { 0xc2, "A" }, { 0xc7, "C" }, { 0xc8, "E" }, { 0xc9, "E" },
        { 0xca, "E" }, { 0xce, "I" }, { 0xd4, "O" }, { 0xd9, "U" }, { 0xdb, "U" },
        { 0x153, "oe" }, { 0x152, "OE" }, { 0xe6, "ae" }, { 0xab, "\"" }, { 0xbb, "\"" },
        { 0x2019, "'" }, { 0x2018, "'" }, { 0x201c, "\"" }, { 0x201d, "\"" },
        { 0x2013, "-" }, { 0x2014, "-" }, { 0x2026, "..." }, { 0xa0, " " }, { 0x202f, " " },
        { 0x2192, "->" }, { 0x2190, "<-" }, { 0xb7, "." },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].from == c)
            return map[i].to;
    return "?";
}

/* Decodes the UTF-8 sequence at S, known to be valid; sets *len. */
static wchar_t decode_one(const unsigned char *s, size_t *len)
{
    unsigned cp, need;
    if (s[0] < 0x80) { *len = 1; return s[0]; }
    if ((s[0] & 0xe0) == 0xc0) { need = 1; cp = s[0] & 0x1f; }
    else if ((s[0] & 0xf0) == 0xe0) { need = 2; cp = s[0] & 0x0f; }
    else { need = 3; cp = s[0] & 0x07; }
    for (unsigned i = 1; i <= need; i++)
        cp = (cp << 6) | (s[i] & 0x3f);
    *len = need + 1;
    return (wchar_t)cp;
}

/* Decodes UTF-8 S into a malloc'd wide string, folded to ASCII when asked.
 * S goes through the visible form first: a control sequence in a process
 * name or a playbook shows as \x1b... instead of reaching the terminal. */
wchar_t *ui_text_decode(const char *s, int ascii)
{
    char *vis = text_visible_dup(s, strlen(s), TEXT_KEEP_NL | TEXT_KEEP_TAB);
    size_t n = vis ? strlen(vis) : 0;
    wchar_t *out = vis ? malloc((n * 3 + 1) * sizeof *out) : NULL;  /* a fold is at most 3 chars a byte */
    size_t o = 0;
    if (!out) {
        free(vis);
        return NULL;
    }
    for (const unsigned char *p = (const unsigned char *)vis; *p; ) {
        size_t len;
        wchar_t c = decode_one(p, &len);
        p += len;
        if (c == '\t')
            c = ' ';
        if (ascii && c >= 0x80) {
            for (const char *f = ascii_fold(c); *f; f++)
                out[o++] = (wchar_t)*f;
        } else {
            out[o++] = c;
        }
    }
    out[o] = 0;
    free(vis);
    return out;
}

/* The display width of the first N characters of W. */
int ui_text_width(const wchar_t *w, size_t n)
{
    int width = 0;
    for (size_t i = 0; i < n && w[i]; i++) {
        int cw = wcwidth(w[i]);
        width += cw < 0 ? 1 : cw;
    }
    return width;
}

/* Appends one line (copied from W, N characters) to D. */
static void doc_push(struct doc *d, const wchar_t *prefix, const wchar_t *w, size_t n,
                     enum doc_style style)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        struct doc_line *l = realloc(d->lines, cap * sizeof *l);
        if (!l)
            return;
        d->lines = l;
        d->cap = cap;
    }
    size_t np = wcslen(prefix);
    wchar_t *t = malloc((np + n + 1) * sizeof *t);
    if (!t)
        return;
    wmemcpy(t, prefix, np);
    wmemcpy(t + np, w, n);
    t[np + n] = 0;
    d->lines[d->n++] = (struct doc_line){ t, style };
}

/* Appends an empty line. */
void doc_blank(struct doc *d)
{
    doc_push(d, L"", L"", 0, DOC_PLAIN);
}

/* Wraps one paragraph line W (no '\n') into D. */
static void wrap_line(struct doc *d, const wchar_t *w, size_t n, int width, const wchar_t *indent,
                      enum doc_style style)
{
    int avail = width - ui_text_width(indent, wcslen(indent));
    if (avail < 4)
        avail = 4;
    if (n == 0) {
        doc_push(d, indent, w, 0, style);
        return;
    }
    while (n) {
        size_t take = 0, last_space = 0;
        int cols = 0;
        while (take < n) {
            int cw = wcwidth(w[take]);
            cw = cw < 0 ? 1 : cw;
            if (cols + cw > avail)
                break;
            cols += cw;
            if (w[take] == ' ')
                last_space = take;
            take++;
        }
        if (take < n && last_space > 0)
            take = last_space;      /* break at the last space that fits */
        if (take == 0)
            take = 1;
        doc_push(d, indent, w, take, style);
        w += take;
        n -= take;
        while (n && *w == ' ' && style != DOC_COMMAND && style != DOC_SELECTED) {
            w++;
            n--;
        }
    }
}

/* Wraps S to WIDTH columns with INDENT and appends its lines to D in STYLE. */
void doc_add(struct doc *d, const char *s, int width, const char *indent, enum doc_style style,
             int ascii)
{
    wchar_t *w = ui_text_decode(s, ascii);
    wchar_t *wi = ui_text_decode(indent, ascii);
    if (w && wi) {
        for (wchar_t *line = w;;) {
            wchar_t *nl = wcschr(line, L'\n');
            size_t n = nl ? (size_t)(nl - line) : wcslen(line);
            wrap_line(d, line, n, width, wi, style);
            if (!nl)
                break;
            line = nl + 1;
        }
    }
    free(w);
    free(wi);
}

/* Releases the lines. */
void doc_free(struct doc *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->lines[i].text);
    free(d->lines);
    memset(d, 0, sizeof *d);
}
