/*
 * bios: the demo target's firmware, a setup utility, POST and a console.
 *
 * Owns the machine's mode (setup, POST, console), the setup utility's
 * configuration (current and saved), its navigation state (page, item per
 * page, text editing, dialog), the pointer, the time it was last told, and
 * the console. Pages and their items, option choices, boot devices, dialogs
 * and key bindings are tables. Input (keys, pointer, time) only changes
 * state; sk_bios_screen draws the whole screen from that state each time,
 * so nothing on screen can fall out of step with it.
 */
#include "demo/bios.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/tty.h"
#include "demo/uslayout.h"
#include "base/util.h"

/* --- Colours --------------------------------------------------------------- */

#define A_TITLE SK_ATTR(SK_VGA_WHITE, SK_VGA_BLUE)
#define A_TAB SK_ATTR(SK_VGA_WHITE, SK_VGA_BLUE)
#define A_TAB_ON SK_ATTR(SK_VGA_BLUE, SK_VGA_LIGHTGREY)
#define A_BODY SK_ATTR(SK_VGA_BLUE, SK_VGA_LIGHTGREY)
#define A_FRAME SK_ATTR(SK_VGA_BLUE, SK_VGA_LIGHTGREY)
#define A_VALUE SK_ATTR(SK_VGA_BLACK, SK_VGA_LIGHTGREY)
#define A_INFO SK_ATTR(SK_VGA_DARKGREY, SK_VGA_LIGHTGREY)
#define A_HEADING SK_ATTR(SK_VGA_BLACK, SK_VGA_LIGHTGREY)
#define A_SELECTED SK_ATTR(SK_VGA_WHITE, SK_VGA_LIGHTGREY)
#define A_SEL_VALUE SK_ATTR(SK_VGA_WHITE, SK_VGA_BLUE)
#define A_EDIT SK_ATTR(SK_VGA_BLACK, SK_VGA_CYAN)
#define A_HELP SK_ATTR(SK_VGA_BLUE, SK_VGA_LIGHTGREY)
#define A_LED_ON SK_ATTR(SK_VGA_WHITE, SK_VGA_GREEN)
#define A_LED_OFF SK_ATTR(SK_VGA_DARKGREY, SK_VGA_LIGHTGREY)
#define A_LEGEND SK_ATTR(SK_VGA_WHITE, SK_VGA_BLUE)
#define A_LEGEND_KEY SK_ATTR(SK_VGA_YELLOW, SK_VGA_BLUE)
#define A_DIALOG SK_ATTR(SK_VGA_WHITE, SK_VGA_BLUE)
#define A_BUTTON_ON SK_ATTR(SK_VGA_BLUE, SK_VGA_LIGHTGREY)
#define A_SHADOW SK_ATTR(SK_VGA_DARKGREY, SK_VGA_BLACK)
#define A_POST SK_ATTR(SK_VGA_LIGHTGREY, SK_VGA_BLACK)
#define A_POST_BRIGHT SK_ATTR(SK_VGA_WHITE, SK_VGA_BLACK)
#define A_POST_LOGO SK_ATTR(SK_VGA_LIGHTCYAN, SK_VGA_BLACK)

/* --- Geometry -------------------------------------------------------------- */

#define ROW_TITLE 0
#define ROW_TABS 1
#define ROW_BOX_TOP 2
#define ROW_BOX_BOTTOM 22
#define ROW_ITEMS 4
#define ROW_ITEMS_END 21 /* exclusive */
#define ROW_LEGEND 23
#define COL_LABEL 3
#define COL_VALUE 29
#define COL_DIVIDER 56
#define COL_HELP 58
#define HELP_WIDTH 20
#define NAME_MAX 20

/* CP437 line drawing: corners, edges, and the tees joining the divider. */
enum { BOX_TL, BOX_TR, BOX_BL, BOX_BR, BOX_H, BOX_V };
static const uint8_t box_single[6] = {0xDA, 0xBF, 0xC0, 0xD9, 0xC4, 0xB3};
static const uint8_t box_double[6] = {0xC9, 0xBB, 0xC8, 0xBC, 0xCD, 0xBA};
#define CP437_TEE_DOWN 0xC2
#define CP437_TEE_UP 0xC1
#define CP437_TEE_RIGHT 0xC3
#define CP437_TEE_LEFT 0xB4
#define CP437_BLOCK 0xDB

#define USAGE_N 0x11
#define USAGE_Y 0x1c

/* --- Configuration as data ----------------------------------------------------- */

enum option {
    OPT_VTX,
    OPT_HT,
    OPT_SATA,
    OPT_USB_LEGACY,
    OPT_WOL,
    OPT_FAN,
    OPT_QUICK_BOOT,
    OPT_SECURE_BOOT,
    OPT_TPM,
    OPT_INTRUSION,
    OPT_COUNT,
};

/* Each option's choices; the first is the default. */
static const struct {
    const char *choices[4];
} option_defs[OPT_COUNT] = {
    [OPT_VTX] = {{"Enabled", "Disabled"}},
    [OPT_HT] = {{"Enabled", "Disabled"}},
    [OPT_SATA] = {{"AHCI", "RAID", "IDE"}},
    [OPT_USB_LEGACY] = {{"Enabled", "Disabled", "Auto"}},
    [OPT_WOL] = {{"Disabled", "Enabled"}},
    [OPT_FAN] = {{"Standard", "Quiet", "Performance", "Full Speed"}},
    [OPT_QUICK_BOOT] = {{"Enabled", "Disabled"}},
    [OPT_SECURE_BOOT] = {{"Disabled", "Enabled"}},
    [OPT_TPM] = {{"Enabled", "Disabled"}},
    [OPT_INTRUSION] = {{"Disabled", "Enabled"}},
};

static const char *const boot_devices[] = {
    "USB: sshkvm Virtual Disk",
    "SATA0: Demo SSD 256GB",
    "PXE: IPv4 Demo NIC",
    "CD/DVD: (empty)",
};
#define BOOT_COUNT ((int)SK_ARRAY_LEN(boot_devices))

struct config {
    char name[NAME_MAX + 1];
    uint8_t options[OPT_COUNT];
    uint8_t boot_order[SK_ARRAY_LEN(boot_devices)];
};

static const struct config config_defaults = {
    .name = "demo-pc",
    .options = {0},
    .boot_order = {0, 1, 2, 3},
};

/* --- Pages as data ------------------------------------------------------------- */

enum item_kind {
    ITEM_BLANK = 0,
    ITEM_HEADING,
    ITEM_INFO,
    ITEM_TIME,
    ITEM_DATE,
    ITEM_NAME,
    ITEM_OPTION,
    ITEM_BOOT,
    ITEM_ACTION,
};

enum action {
    ACT_SAVE_EXIT = 1,
    ACT_DISCARD_EXIT,
    ACT_SAVE,
    ACT_DISCARD,
    ACT_DEFAULTS,
    ACT_HELP,
};

struct item {
    enum item_kind kind;
    const char *label;
    const char *value; /* ITEM_INFO */
    int arg;           /* ITEM_OPTION: enum option; ITEM_BOOT: position; ITEM_ACTION: enum action */
    const char *help;
};

static const struct item main_items[] = {
    {.kind = ITEM_INFO, .label = "BIOS Vendor", .value = "sshkvm demo"},
    {.kind = ITEM_INFO, .label = "BIOS Version", .value = "1.0.0 (simulated)"},
    {.kind = ITEM_INFO, .label = "Processor", .value = "Demo x86-64 @ 3.00GHz"},
    {.kind = ITEM_INFO, .label = "Total Memory", .value = "16384 MB"},
    {.kind = ITEM_BLANK},
    {.kind = ITEM_TIME,
     .label = "System Time",
     .help = "The time of the real-time clock, read every second. Use Left/Right to change tabs."},
    {.kind = ITEM_DATE, .label = "System Date", .help = "The date of the real-time clock."},
    {.kind = ITEM_NAME,
     .label = "System Name",
     .help = "Press Enter to edit the name, type it, then Enter to keep it or Esc to cancel."},
    {.kind = ITEM_BLANK},
    {.kind = ITEM_INFO, .label = "Keyboard", .value = "USB Boot Keyboard"},
    {.kind = ITEM_INFO, .label = "Pointing Device", .value = "USB Absolute Mouse"},
};

static const struct item advanced_items[] = {
    {.kind = ITEM_HEADING, .label = "CPU Configuration"},
    {.kind = ITEM_OPTION,
     .label = "Virtualization Technology",
     .arg = OPT_VTX,
     .help = "Hardware assistance for virtual machines. Enter or +/- changes the value."},
    {.kind = ITEM_OPTION,
     .label = "Hyper-Threading",
     .arg = OPT_HT,
     .help = "Two logical processors per core."},
    {.kind = ITEM_BLANK},
    {.kind = ITEM_HEADING, .label = "Devices"},
    {.kind = ITEM_OPTION,
     .label = "SATA Mode",
     .arg = OPT_SATA,
     .help = "How the SATA controller presents disks."},
    {.kind = ITEM_OPTION,
     .label = "USB Legacy Support",
     .arg = OPT_USB_LEGACY,
     .help = "Lets DOS and boot loaders use USB keyboards like sshkvm's."},
    {.kind = ITEM_OPTION,
     .label = "Wake on LAN",
     .arg = OPT_WOL,
     .help = "Power on from a magic packet."},
    {.kind = ITEM_OPTION, .label = "Fan Profile", .arg = OPT_FAN, .help = "Cooling versus noise."},
};

static const struct item boot_items[] = {
    {.kind = ITEM_OPTION,
     .label = "Quick Boot",
     .arg = OPT_QUICK_BOOT,
     .help = "Skip some tests during POST."},
    {.kind = ITEM_BLANK},
    {.kind = ITEM_HEADING, .label = "Boot Priority Order"},
    {.kind = ITEM_BOOT,
     .label = "Boot Option #1",
     .arg = 0,
     .help = "+ moves the device up, - moves it down."},
    {.kind = ITEM_BOOT,
     .label = "Boot Option #2",
     .arg = 1,
     .help = "+ moves the device up, - moves it down."},
    {.kind = ITEM_BOOT,
     .label = "Boot Option #3",
     .arg = 2,
     .help = "+ moves the device up, - moves it down."},
    {.kind = ITEM_BOOT,
     .label = "Boot Option #4",
     .arg = 3,
     .help = "+ moves the device up, - moves it down."},
};

static const struct item security_items[] = {
    {.kind = ITEM_INFO, .label = "Supervisor Password", .value = "Not Installed"},
    {.kind = ITEM_INFO, .label = "User Password", .value = "Not Installed"},
    {.kind = ITEM_BLANK},
    {.kind = ITEM_OPTION,
     .label = "Secure Boot",
     .arg = OPT_SECURE_BOOT,
     .help = "Boot only signed loaders."},
    {.kind = ITEM_OPTION,
     .label = "TPM Device",
     .arg = OPT_TPM,
     .help = "The trusted platform module."},
    {.kind = ITEM_OPTION,
     .label = "Chassis Intrusion",
     .arg = OPT_INTRUSION,
     .help = "Warn at POST when the case was opened."},
};

static const struct item exit_items[] = {
    {.kind = ITEM_ACTION,
     .label = "Save Changes and Exit",
     .arg = ACT_SAVE_EXIT,
     .help = "Save the configuration and restart."},
    {.kind = ITEM_ACTION,
     .label = "Discard Changes and Exit",
     .arg = ACT_DISCARD_EXIT,
     .help = "Restart without saving."},
    {.kind = ITEM_ACTION,
     .label = "Save Changes",
     .arg = ACT_SAVE,
     .help = "Save and stay in setup."},
    {.kind = ITEM_ACTION,
     .label = "Discard Changes",
     .arg = ACT_DISCARD,
     .help = "Go back to the saved configuration."},
    {.kind = ITEM_ACTION,
     .label = "Load Setup Defaults",
     .arg = ACT_DEFAULTS,
     .help = "Every option to its default."},
};

enum page { PAGE_MAIN, PAGE_ADVANCED, PAGE_BOOT, PAGE_SECURITY, PAGE_EXIT, PAGE_COUNT };

static const struct {
    const char *title;
    const struct item *items;
    int count;
} pages[PAGE_COUNT] = {
    [PAGE_MAIN] = {.title = "Main", .items = main_items, .count = SK_ARRAY_LEN(main_items)},
    [PAGE_ADVANCED] = {.title = "Advanced",
                       .items = advanced_items,
                       .count = SK_ARRAY_LEN(advanced_items)},
    [PAGE_BOOT] = {.title = "Boot", .items = boot_items, .count = SK_ARRAY_LEN(boot_items)},
    [PAGE_SECURITY] = {.title = "Security",
                       .items = security_items,
                       .count = SK_ARRAY_LEN(security_items)},
    [PAGE_EXIT] = {.title = "Exit", .items = exit_items, .count = SK_ARRAY_LEN(exit_items)},
};

/* The question each action asks before it runs. */
static const struct {
    const char *title;
    const char *text;
} dialogs[] = {
    [ACT_SAVE_EXIT] = {.title = "Save & Exit Setup", .text = "Save configuration and exit?"},
    [ACT_DISCARD_EXIT] = {.title = "Exit Without Saving", .text = "Quit without saving changes?"},
    [ACT_SAVE] = {.title = "Save Changes", .text = "Save configuration now?"},
    [ACT_DISCARD] = {.title = "Discard Changes", .text = "Discard changes since the last save?"},
    [ACT_DEFAULTS] = {.title = "Load Setup Defaults", .text = "Load optimized defaults?"},
    [ACT_HELP] = {.title = "General Help", .text = NULL},
};

static const char *const general_help[] = {
    "\x1B\x1A      Select a tab",     "\x18\x19      Select an item",
    "Enter   Select / edit / change", "+/-     Change the value",
    "F9      Load setup defaults",    "F10     Save and exit",
    "Esc     Exit / cancel",          "Mouse   Click a tab or an item",
};

/* --- State --------------------------------------------------------------------- */

struct dialog {
    enum action action; /* 0: no dialog */
    int choice;         /* 0 Yes (or the only button), 1 No */
};

struct edit {
    int active;
    char text[NAME_MAX + 1];
    int len;
    int pos;
};

struct sk_bios {
    enum sk_bios_mode mode;
    struct config cfg;
    struct config saved;
    int page;
    int sel[PAGE_COUNT]; /* the selected item of each page */
    struct edit edit;
    struct dialog dialog;
    uint8_t locks;

    /* POST: when it started (-1: at the next tick), and whether setup was asked for. */
    int64_t post_start;
    int64_t post_elapsed;
    int post_setup;
    int64_t now_ms;
    struct tm rtc;

    int pointer_shown;
    int pointer_col;
    int pointer_row;
    uint8_t buttons;

    struct sk_tty console;
    struct sk_textscreen screen;
};

/* --- Navigation ---------------------------------------------------------------- */

static int selectable(const struct item *it)
{
    return it->kind != ITEM_BLANK && it->kind != ITEM_HEADING && it->kind != ITEM_INFO;
}

static const struct item *current_item(const struct sk_bios *b)
{
    return &pages[b->page].items[b->sel[b->page]];
}

/* Move the selection by dir (+1/-1) to the next selectable item, staying put at the ends. */
static void move_selection(struct sk_bios *b, int dir)
{
    for (int i = b->sel[b->page] + dir; i >= 0 && i < pages[b->page].count; i += dir) {
        if (selectable(&pages[b->page].items[i])) {
            b->sel[b->page] = i;
            return;
        }
    }
}

static void reset_selection(struct sk_bios *b)
{
    for (int p = 0; p < PAGE_COUNT; p++) {
        b->sel[p] = 0;
        for (int i = 0; i < pages[p].count; i++) {
            if (selectable(&pages[p].items[i])) {
                b->sel[p] = i;
                break;
            }
        }
    }
    b->page = PAGE_MAIN;
}

static void enter_setup(struct sk_bios *b)
{
    b->mode = SK_BIOS_SETUP;
    b->cfg = b->saved;
    b->edit.active = 0;
    b->dialog.action = 0;
    reset_selection(b);
}

static void reboot(struct sk_bios *b)
{
    b->mode = SK_BIOS_POST;
    b->post_start = -1;
    b->post_elapsed = 0;
    b->post_setup = 0;
    b->edit.active = 0;
    b->dialog.action = 0;
}

static void tab_prev(struct sk_bios *b)
{
    b->page = (b->page + PAGE_COUNT - 1) % PAGE_COUNT;
}

static void tab_next(struct sk_bios *b)
{
    b->page = (b->page + 1) % PAGE_COUNT;
}

static void item_prev(struct sk_bios *b)
{
    move_selection(b, -1);
}

static void item_next(struct sk_bios *b)
{
    move_selection(b, +1);
}

/* Jump to the first or last selectable item: start just past the end and step back in. */
static void item_jump(struct sk_bios *b, int from, int dir)
{
    int old = b->sel[b->page];
    b->sel[b->page] = from;
    move_selection(b, dir);
    if (b->sel[b->page] == from) {
        b->sel[b->page] = old;
    }
}

static void item_first(struct sk_bios *b)
{
    item_jump(b, -1, +1);
}

static void item_last(struct sk_bios *b)
{
    item_jump(b, pages[b->page].count, -1);
}

static void open_dialog(struct sk_bios *b, enum action action)
{
    b->dialog = (struct dialog){.action = action, .choice = 0};
}

/* Change the selected item's value by dir: cycle an option, or move a boot device. */
static void change_value(struct sk_bios *b, int dir)
{
    const struct item *it = current_item(b);
    if (it->kind == ITEM_OPTION) {
        int n = 0;
        while (n < 4 && option_defs[it->arg].choices[n] != NULL) {
            n++;
        }
        b->cfg.options[it->arg] = (uint8_t)((b->cfg.options[it->arg] + n + dir) % n);
    } else if (it->kind == ITEM_BOOT) {
        /* '+' raises the device's priority: it swaps with the one above, and the selection follows
         * it. */
        int pos = it->arg;
        int to = pos - dir;
        if (to < 0 || to >= BOOT_COUNT) {
            return;
        }
        uint8_t dev = b->cfg.boot_order[pos];
        b->cfg.boot_order[pos] = b->cfg.boot_order[to];
        b->cfg.boot_order[to] = dev;
        b->sel[b->page] += to - pos;
    }
}

static void value_next(struct sk_bios *b)
{
    change_value(b, +1);
}

static void value_prev(struct sk_bios *b)
{
    change_value(b, -1);
}

static void item_enter(struct sk_bios *b)
{
    const struct item *it = current_item(b);
    if (it->kind == ITEM_NAME) {
        b->edit.active = 1;
        memcpy(b->edit.text, b->cfg.name, sizeof(b->edit.text));
        b->edit.len = (int)strlen(b->edit.text);
        b->edit.pos = b->edit.len;
    } else if (it->kind == ITEM_OPTION) {
        change_value(b, +1);
    } else if (it->kind == ITEM_ACTION) {
        open_dialog(b, it->arg);
    }
}

static void show_help(struct sk_bios *b)
{
    open_dialog(b, ACT_HELP);
}

static void ask_defaults(struct sk_bios *b)
{
    open_dialog(b, ACT_DEFAULTS);
}

static void ask_save_exit(struct sk_bios *b)
{
    open_dialog(b, ACT_SAVE_EXIT);
}

static void ask_quit(struct sk_bios *b)
{
    open_dialog(b, ACT_DISCARD_EXIT);
}

/* Setup's key bindings; '=' is '+' without Shift, as setup utilities accept it. */
static const struct {
    uint8_t usage;
    void (*run)(struct sk_bios *b);
} setup_keys[] = {
    {.usage = SK_US_LEFT, .run = tab_prev},      {.usage = SK_US_RIGHT, .run = tab_next},
    {.usage = SK_US_UP, .run = item_prev},       {.usage = SK_US_DOWN, .run = item_next},
    {.usage = SK_US_TAB, .run = item_next},      {.usage = SK_US_HOME, .run = item_first},
    {.usage = SK_US_PAGEUP, .run = item_first},  {.usage = SK_US_END, .run = item_last},
    {.usage = SK_US_PAGEDOWN, .run = item_last}, {.usage = SK_US_ENTER, .run = item_enter},
    {.usage = SK_US_EQUAL, .run = value_next},   {.usage = SK_US_KP_PLUS, .run = value_next},
    {.usage = SK_US_MINUS, .run = value_prev},   {.usage = SK_US_KP_MINUS, .run = value_prev},
    {.usage = SK_US_F1, .run = show_help},       {.usage = SK_US_F9, .run = ask_defaults},
    {.usage = SK_US_F10, .run = ask_save_exit},  {.usage = SK_US_ESCAPE, .run = ask_quit},
};

static void run_action(struct sk_bios *b, enum action action)
{
    if (action == ACT_SAVE_EXIT || action == ACT_SAVE) {
        b->saved = b->cfg;
    } else if (action == ACT_DISCARD_EXIT || action == ACT_DISCARD) {
        b->cfg = b->saved;
    } else if (action == ACT_DEFAULTS) {
        /* Defaults are for options and boot order; the machine keeps its name. */
        memcpy(b->cfg.options, config_defaults.options, sizeof(b->cfg.options));
        memcpy(b->cfg.boot_order, config_defaults.boot_order, sizeof(b->cfg.boot_order));
    }
    if (action == ACT_SAVE_EXIT || action == ACT_DISCARD_EXIT) {
        reboot(b);
    }
}

/* Close the dialog, running its action when the answer is Yes. */
static void close_dialog(struct sk_bios *b, int yes)
{
    enum action action = b->dialog.action;
    b->dialog.action = 0;
    if (yes && action != ACT_HELP) {
        run_action(b, action);
    }
}

static void dialog_key(struct sk_bios *b, uint8_t usage)
{
    int buttons = b->dialog.action == ACT_HELP ? 1 : 2;
    if (usage == SK_US_LEFT || usage == SK_US_RIGHT || usage == SK_US_TAB) {
        b->dialog.choice = (b->dialog.choice + 1) % buttons;
    } else if (usage == SK_US_ENTER) {
        close_dialog(b, b->dialog.choice == 0);
    } else if (usage == SK_US_ESCAPE || (usage == USAGE_N && buttons == 2)) {
        close_dialog(b, 0);
    } else if (usage == USAGE_Y && buttons == 2) {
        close_dialog(b, 1);
    }
}

static void edit_key(struct sk_bios *b, uint8_t usage, uint8_t mods, uint8_t locks)
{
    struct edit *e = &b->edit;
    if (usage == SK_US_ENTER) {
        memcpy(b->cfg.name, e->text, sizeof(b->cfg.name));
        e->active = 0;
    } else if (usage == SK_US_ESCAPE) {
        e->active = 0;
    } else if (usage == SK_US_BACKSPACE) {
        if (e->pos > 0) {
            memmove(e->text + e->pos - 1, e->text + e->pos, (size_t)(e->len - e->pos + 1));
            e->pos--;
            e->len--;
        }
    } else if (usage == SK_US_DELETE) {
        if (e->pos < e->len) {
            memmove(e->text + e->pos, e->text + e->pos + 1, (size_t)(e->len - e->pos));
            e->len--;
        }
    } else if (usage == SK_US_LEFT) {
        e->pos = SK_MAX(e->pos - 1, 0);
    } else if (usage == SK_US_RIGHT) {
        e->pos = SK_MIN(e->pos + 1, e->len);
    } else if (usage == SK_US_HOME) {
        e->pos = 0;
    } else if (usage == SK_US_END) {
        e->pos = e->len;
    } else {
        char ch = sk_uslayout_char(usage, mods, locks);
        if (ch != 0 && e->len < NAME_MAX) {
            memmove(e->text + e->pos + 1, e->text + e->pos, (size_t)(e->len - e->pos + 1));
            e->text[e->pos++] = ch;
            e->len++;
        }
    }
}

static void setup_key(struct sk_bios *b, uint8_t usage, uint8_t mods, uint8_t locks)
{
    if (b->dialog.action != 0) {
        dialog_key(b, usage);
        return;
    }
    if (b->edit.active) {
        edit_key(b, usage, mods, locks);
        return;
    }
    for (size_t i = 0; i < SK_ARRAY_LEN(setup_keys); i++) {
        if (setup_keys[i].usage == usage) {
            setup_keys[i].run(b);
            return;
        }
    }
}

/* --- Public entry points --------------------------------------------------------- */

struct sk_bios *sk_bios_new(void)
{
    struct sk_bios *b = xcalloc(1, sizeof(*b));
    b->saved = config_defaults;
    /* Until the first tick the clock shows a fixed date (a Wednesday). */
    b->rtc = (struct tm){.tm_year = 125, .tm_mon = 0, .tm_mday = 1, .tm_wday = 3};
    b->console.now = b->rtc;
    b->post_start = -1;
    enter_setup(b);
    return b;
}

void sk_bios_free(struct sk_bios *bios)
{
    free(bios);
}

enum sk_bios_mode sk_bios_mode(const struct sk_bios *bios)
{
    return bios->mode;
}

void sk_bios_key(struct sk_bios *bios, uint8_t usage, uint8_t mods, uint8_t locks)
{
    bios->locks = locks;
    usage = sk_uslayout_key(usage, locks);
    /* The three-finger salute resets the machine whatever runs. */
    if (usage == SK_US_DELETE && (mods & SK_US_MOD_CTRL) && (mods & SK_US_MOD_ALT)) {
        reboot(bios);
        return;
    }
    switch (bios->mode) {
    case SK_BIOS_SETUP:
        setup_key(bios, usage, mods, locks);
        break;
    case SK_BIOS_POST:
        if (usage == SK_US_F2 || usage == SK_US_DELETE) {
            bios->post_setup = 1;
        }
        break;
    case SK_BIOS_CONSOLE:
        if (sk_tty_key(&bios->console, usage, mods, locks) == SK_TTY_REBOOT) {
            reboot(bios);
        }
        break;
    }
}

void sk_bios_tick(struct sk_bios *bios, int64_t now_ms, const struct tm *rtc)
{
    bios->now_ms = now_ms;
    if (rtc != NULL) {
        bios->rtc = *rtc;
        sk_tty_set_time(&bios->console, rtc);
    }
    if (bios->mode != SK_BIOS_POST) {
        return;
    }
    if (bios->post_start < 0) {
        bios->post_start = now_ms;
    }
    bios->post_elapsed = now_ms - bios->post_start;
    if (bios->post_elapsed < SK_BIOS_POST_MS) {
        return;
    }
    if (bios->post_setup) {
        enter_setup(bios);
    } else {
        bios->mode = SK_BIOS_CONSOLE;
        sk_tty_boot(&bios->console, boot_devices[bios->saved.boot_order[0]]);
    }
}

/* --- Drawing --------------------------------------------------------------------- */

static void put(struct sk_textscreen *s, int row, int col, uint8_t ch, uint8_t attr)
{
    if (row >= 0 && row < SK_TEXT_ROWS && col >= 0 && col < SK_TEXT_COLS) {
        s->cells[row][col] = (struct sk_textcell){.ch = ch, .attr = attr};
    }
}

/* Write a CP437 string, clipped at the screen's edge; returns the columns used. */
static int text(struct sk_textscreen *s, int row, int col, const char *str, uint8_t attr)
{
    int n = 0;
    for (; str[n] != '\0'; n++) {
        put(s, row, col + n, (uint8_t)str[n], attr);
    }
    return n;
}

static void fill(struct sk_textscreen *s, int row, int col, int w, int h, uint8_t ch, uint8_t attr)
{
    for (int r = row; r < row + h; r++) {
        for (int c = col; c < col + w; c++) {
            put(s, r, c, ch, attr);
        }
    }
}

static void box(struct sk_textscreen *s, int row, int col, int w, int h, const uint8_t g[6],
                uint8_t attr)
{
    fill(s, row, col + 1, w - 2, 1, g[BOX_H], attr);
    fill(s, row + h - 1, col + 1, w - 2, 1, g[BOX_H], attr);
    fill(s, row + 1, col, 1, h - 2, g[BOX_V], attr);
    fill(s, row + 1, col + w - 1, 1, h - 2, g[BOX_V], attr);
    put(s, row, col, g[BOX_TL], attr);
    put(s, row, col + w - 1, g[BOX_TR], attr);
    put(s, row + h - 1, col, g[BOX_BL], attr);
    put(s, row + h - 1, col + w - 1, g[BOX_BR], attr);
}

static void centered(struct sk_textscreen *s, int row, int col, int w, const char *str,
                     uint8_t attr)
{
    text(s, row, col + (w - (int)strlen(str)) / 2, str, attr);
}

/* Where tab i is drawn: its first column and its width, label plus a space each side. */
static int tab_col(int i, int *width)
{
    int col = 2;
    for (int p = 0; p < i; p++) {
        col += (int)strlen(pages[p].title) + 3;
    }
    *width = (int)strlen(pages[i].title) + 2;
    return col;
}

/* The text of an item's value, or NULL for items that show none. */
static const char *item_value(const struct sk_bios *b, const struct item *it, char *buf, size_t len)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    const struct tm *t = &b->rtc;
    switch (it->kind) {
    case ITEM_INFO:
        return it->value;
    case ITEM_TIME:
        snprintf(buf, len, "[%02d:%02d:%02d]", t->tm_hour % 100, t->tm_min % 100, t->tm_sec % 100);
        return buf;
    case ITEM_DATE:
        snprintf(buf, len, "[%s %02d/%02d/%04d]", days[(t->tm_wday % 7 + 7) % 7],
                 (t->tm_mon + 1) % 100, t->tm_mday % 100, (t->tm_year + 1900) % 10000);
        return buf;
    case ITEM_NAME:
        snprintf(buf, len, "[%s]", b->cfg.name);
        return buf;
    case ITEM_OPTION:
        snprintf(buf, len, "[%s]", option_defs[it->arg].choices[b->cfg.options[it->arg]]);
        return buf;
    case ITEM_BOOT:
        snprintf(buf, len, "[%s]", boot_devices[b->cfg.boot_order[it->arg]]);
        return buf;
    default:
        return NULL;
    }
}

static void draw_item(struct sk_bios *b, int i)
{
    struct sk_textscreen *s = &b->screen;
    const struct item *it = &pages[b->page].items[i];
    int row = ROW_ITEMS + i;
    int selected = i == b->sel[b->page];
    uint8_t label_attr = A_BODY;
    if (it->kind == ITEM_HEADING) {
        label_attr = A_HEADING;
    } else if (it->kind == ITEM_INFO) {
        label_attr = A_INFO;
    } else if (selected) {
        label_attr = A_SELECTED;
    }
    if (it->label != NULL) {
        if (it->kind == ITEM_ACTION && selected) {
            /* Actions have no value column, so the whole line is the highlight. */
            fill(s, row, COL_LABEL - 1, COL_DIVIDER - COL_LABEL, 1, ' ', A_SEL_VALUE);
            text(s, row, COL_LABEL, it->label, A_SEL_VALUE);
        } else {
            text(s, row, it->kind == ITEM_HEADING ? COL_LABEL - 1 : COL_LABEL, it->label,
                 label_attr);
        }
    }
    if (it->kind == ITEM_NAME && b->edit.active) {
        put(s, row, COL_VALUE, '[', A_EDIT);
        fill(s, row, COL_VALUE + 1, NAME_MAX, 1, ' ', A_EDIT);
        text(s, row, COL_VALUE + 1, b->edit.text, A_EDIT);
        put(s, row, COL_VALUE + 1 + NAME_MAX, ']', A_EDIT);
        s->cursor_row = row;
        s->cursor_col = COL_VALUE + 1 + b->edit.pos;
        s->cursor_visible = 1;
        return;
    }
    char buf[64];
    const char *value = item_value(b, it, buf, sizeof(buf));
    if (value != NULL) {
        uint8_t attr = it->kind == ITEM_INFO ? A_VALUE : selected ? A_SEL_VALUE : A_BODY;
        text(s, row, COL_VALUE, value, attr);
    }
}

/* Word-wrap str into the help panel from row on; returns the next free row. */
static int draw_wrapped(struct sk_textscreen *s, int row, const char *str, uint8_t attr)
{
    while (*str != '\0' && row < ROW_ITEMS_END) {
        int n = (int)strlen(str);
        if (n > HELP_WIDTH) {
            n = HELP_WIDTH;
            while (n > 0 && str[n] != ' ') {
                n--;
            }
            if (n == 0) {
                n = HELP_WIDTH;
            }
        }
        for (int i = 0; i < n; i++) {
            put(s, row, COL_HELP + i, (uint8_t)str[i], attr);
        }
        str += n;
        while (*str == ' ') {
            str++;
        }
        row++;
    }
    return row;
}

static void draw_help_panel(struct sk_bios *b)
{
    struct sk_textscreen *s = &b->screen;
    centered(s, ROW_BOX_TOP + 1, COL_DIVIDER + 1, SK_TEXT_COLS - COL_DIVIDER - 2,
             "Item Specific Help", A_HEADING);
    put(s, ROW_BOX_TOP + 2, COL_DIVIDER, CP437_TEE_RIGHT, A_FRAME);
    fill(s, ROW_BOX_TOP + 2, COL_DIVIDER + 1, SK_TEXT_COLS - COL_DIVIDER - 2, 1, box_single[BOX_H],
         A_FRAME);
    put(s, ROW_BOX_TOP + 2, SK_TEXT_COLS - 1, CP437_TEE_LEFT, A_FRAME);
    const struct item *it = current_item(b);
    if (it->help != NULL) {
        draw_wrapped(s, ROW_BOX_TOP + 4, it->help, A_HELP);
    }

    /* The lock LEDs, as the host last set them. */
    static const struct {
        uint8_t bit;
        const char *name;
    } leds[] = {{SK_US_LOCK_NUM, " Num "}, {SK_US_LOCK_CAPS, " Caps "}, {0x04, " Scroll "}};
    int row = ROW_BOX_BOTTOM - 3;
    put(s, row - 1, COL_DIVIDER, CP437_TEE_RIGHT, A_FRAME);
    fill(s, row - 1, COL_DIVIDER + 1, SK_TEXT_COLS - COL_DIVIDER - 2, 1, box_single[BOX_H],
         A_FRAME);
    put(s, row - 1, SK_TEXT_COLS - 1, CP437_TEE_LEFT, A_FRAME);
    text(s, row, COL_HELP, "Keyboard LEDs", A_HEADING);
    int col = COL_HELP;
    for (size_t i = 0; i < SK_ARRAY_LEN(leds); i++) {
        col +=
            text(s, row + 1, col, leds[i].name, (b->locks & leds[i].bit) ? A_LED_ON : A_LED_OFF) +
            1;
    }
}

static void draw_legend(struct sk_textscreen *s)
{
    /* Two rows of "key description" pairs in columns, as Phoenix's setup draws them. */
    static const struct {
        int row;
        int col;
        const char *key;
        const char *what;
    } legend[] = {
        {0, 1, "F1", "Help"},
        {0, 14, "\x18\x19", "Select Item"},
        {0, 33, "+/-", "Change Values"},
        {0, 56, "F9", "Setup Defaults"},
        {1, 1, "Esc", "Exit"},
        {1, 14, "\x1B\x1A", "Select Menu"},
        {1, 33, "Enter", "Select"},
        {1, 56, "F10", "Save & Exit"},
    };
    fill(s, ROW_LEGEND, 0, SK_TEXT_COLS, 2, ' ', A_LEGEND);
    for (size_t i = 0; i < SK_ARRAY_LEN(legend); i++) {
        int n = text(s, ROW_LEGEND + legend[i].row, legend[i].col, legend[i].key, A_LEGEND_KEY);
        text(s, ROW_LEGEND + legend[i].row, legend[i].col + SK_MAX(n, 3) + 1, legend[i].what,
             A_LEGEND);
    }
}

/* A dialog's place on screen, shared by drawing and mouse clicks. */
struct dialog_layout {
    int row, col, w, h;
    int button_row;
    int button_col[2];
    int button_w[2];
    int buttons;
};

static void dialog_layout(const struct sk_bios *b, struct dialog_layout *l)
{
    const char *text_line = dialogs[b->dialog.action].text;
    int w = text_line != NULL ? (int)strlen(text_line) : 0;
    int lines = 1;
    if (b->dialog.action == ACT_HELP) {
        lines = (int)SK_ARRAY_LEN(general_help);
        for (size_t i = 0; i < SK_ARRAY_LEN(general_help); i++) {
            w = SK_MAX(w, (int)strlen(general_help[i]));
        }
    }
    w = SK_MAX(w, (int)strlen(dialogs[b->dialog.action].title) + 4) + 6;
    *l = (struct dialog_layout){.w = w, .h = lines + 5};
    l->row = (SK_TEXT_ROWS - l->h) / 2;
    l->col = (SK_TEXT_COLS - l->w) / 2;
    l->button_row = l->row + l->h - 2;
    if (b->dialog.action == ACT_HELP) {
        l->buttons = 1;
        l->button_w[0] = 10;
        l->button_col[0] = l->col + (l->w - l->button_w[0]) / 2;
    } else {
        l->buttons = 2;
        l->button_w[0] = 5;
        l->button_w[1] = 4;
        l->button_col[0] = l->col + l->w / 2 - 7;
        l->button_col[1] = l->col + l->w / 2 + 3;
    }
}

static void draw_dialog(struct sk_bios *b)
{
    static const char *const labels[2][2] = {{"[Continue]", NULL}, {"[Yes]", "[No]"}};
    struct sk_textscreen *s = &b->screen;
    struct dialog_layout l;
    dialog_layout(b, &l);
    /* A shadow one cell right and down, darkening what is under it. */
    for (int r = l.row + 1; r <= l.row + l.h; r++) {
        for (int c = l.col + 2; c < l.col + l.w + 2; c++) {
            if (r < SK_TEXT_ROWS && c < SK_TEXT_COLS) {
                s->cells[r][c].attr = A_SHADOW;
            }
        }
    }
    fill(s, l.row, l.col, l.w, l.h, ' ', A_DIALOG);
    box(s, l.row, l.col, l.w, l.h, box_double, A_DIALOG);
    char title[64];
    snprintf(title, sizeof(title), " %s ", dialogs[b->dialog.action].title);
    centered(s, l.row, l.col, l.w, title, A_DIALOG);
    if (b->dialog.action == ACT_HELP) {
        for (size_t i = 0; i < SK_ARRAY_LEN(general_help); i++) {
            text(s, l.row + 2 + (int)i, l.col + 3, general_help[i], A_DIALOG);
        }
    } else {
        centered(s, l.row + 2, l.col, l.w, dialogs[b->dialog.action].text, A_DIALOG);
    }
    for (int i = 0; i < l.buttons; i++) {
        text(s, l.button_row, l.button_col[i], labels[l.buttons - 1][i],
             i == b->dialog.choice ? A_BUTTON_ON : A_DIALOG);
    }
}

static void draw_setup(struct sk_bios *b)
{
    struct sk_textscreen *s = &b->screen;
    fill(s, ROW_TITLE, 0, SK_TEXT_COLS, 2, ' ', A_TITLE);
    centered(s, ROW_TITLE, 0, SK_TEXT_COLS, "sshkvm Demo Setup Utility - Copyright (C) 2025 sshkvm",
             A_TITLE);
    for (int p = 0; p < PAGE_COUNT; p++) {
        int w;
        int col = tab_col(p, &w);
        uint8_t attr = p == b->page ? A_TAB_ON : A_TAB;
        fill(s, ROW_TABS, col, w, 1, ' ', attr);
        text(s, ROW_TABS, col + 1, pages[p].title, attr);
    }

    int box_h = ROW_BOX_BOTTOM - ROW_BOX_TOP + 1;
    fill(s, ROW_BOX_TOP, 0, SK_TEXT_COLS, box_h, ' ', A_BODY);
    box(s, ROW_BOX_TOP, 0, SK_TEXT_COLS, box_h, box_single, A_FRAME);
    fill(s, ROW_BOX_TOP + 1, COL_DIVIDER, 1, box_h - 2, box_single[BOX_V], A_FRAME);
    put(s, ROW_BOX_TOP, COL_DIVIDER, CP437_TEE_DOWN, A_FRAME);
    put(s, ROW_BOX_BOTTOM, COL_DIVIDER, CP437_TEE_UP, A_FRAME);

    for (int i = 0; i < pages[b->page].count && ROW_ITEMS + i < ROW_ITEMS_END; i++) {
        draw_item(b, i);
    }
    draw_help_panel(b);
    draw_legend(s);
    if (b->dialog.action != 0) {
        draw_dialog(b);
    }
}

static void draw_post(struct sk_bios *b)
{
    struct sk_textscreen *s = &b->screen;
    int64_t t = b->post_elapsed;
    fill(s, 0, 0, SK_TEXT_COLS, SK_TEXT_ROWS, ' ', A_POST);
    box(s, 0, 58, 20, 4, box_double, A_POST_LOGO);
    centered(s, 1, 58, 20, "\x04 sshkvm demo \x04", A_POST_LOGO);
    centered(s, 2, 58, 20, "KVM over ssh", A_POST_LOGO);

    text(s, 0, 0, "sshkvm demo BIOS v1.0.0, a simulated PC", A_POST_BRIGHT);
    text(s, 1, 0, "Copyright (C) 2025 sshkvm", A_POST);
    text(s, 3, 0, "Main Processor : Demo x86-64 @ 3.00GHz", A_POST);
    /* The memory test counts up over the first half of POST, as real ones visibly do. */
    int64_t kb = 16777216;
    int64_t shown = SK_MIN(kb, kb * t / (SK_BIOS_POST_MS / 2) / 1024 * 1024);
    char line[80];
    snprintf(line, sizeof(line), "Memory Testing : %lldK%s", (long long)shown,
             shown == kb ? " OK" : "");
    text(s, 4, 0, line, A_POST);
    if (t >= SK_BIOS_POST_MS / 2) {
        text(s, 6, 0, "USB Device(s)  : 1 Keyboard, 1 Mouse", A_POST);
        text(s, 7, 0, "SATA Port 0    : Demo SSD 256GB", A_POST);
        text(s, 8, 0, "Auto-detecting USB Mass Storage Devices ..", A_POST);
        text(s, 9, 0, "01 USB mass storage devices found and configured.", A_POST);
    }
    if (b->post_setup) {
        text(s, SK_TEXT_ROWS - 1, 0, "Entering SETUP...", A_POST_BRIGHT);
    } else {
        text(s, SK_TEXT_ROWS - 1, 0, "Press F2 or DEL to enter SETUP", A_POST_BRIGHT);
    }
}

/* Swap foreground and background, as a text-mode mouse driver draws its pointer. */
static uint8_t invert(uint8_t attr)
{
    return (uint8_t)((attr << 4) | (attr >> 4));
}

const struct sk_textscreen *sk_bios_screen(struct sk_bios *bios)
{
    struct sk_textscreen *s = &bios->screen;
    s->cursor_visible = 0;
    switch (bios->mode) {
    case SK_BIOS_SETUP:
        draw_setup(bios);
        break;
    case SK_BIOS_POST:
        draw_post(bios);
        break;
    case SK_BIOS_CONSOLE:
        sk_tty_draw(&bios->console, s);
        break;
    }
    if (bios->pointer_shown) {
        struct sk_textcell *cell = &s->cells[bios->pointer_row][bios->pointer_col];
        cell->attr = invert(cell->attr);
    }
    return s;
}

/* --- Pointer --------------------------------------------------------------------- */

static void click(struct sk_bios *b, int row, int col)
{
    if (b->dialog.action != 0) {
        struct dialog_layout l;
        dialog_layout(b, &l);
        for (int i = 0; i < l.buttons; i++) {
            if (row == l.button_row && col >= l.button_col[i] &&
                col < l.button_col[i] + l.button_w[i]) {
                close_dialog(b, i == 0);
            }
        }
        return;
    }
    if (b->edit.active) {
        /* A click elsewhere keeps what was typed, as leaving a field does. */
        edit_key(b, SK_US_ENTER, 0, 0);
    }
    if (row == ROW_TABS) {
        for (int p = 0; p < PAGE_COUNT; p++) {
            int w;
            int c = tab_col(p, &w);
            if (col >= c && col < c + w) {
                b->page = p;
            }
        }
        return;
    }
    int i = row - ROW_ITEMS;
    if (col > 0 && col < COL_DIVIDER && i >= 0 && i < pages[b->page].count &&
        selectable(&pages[b->page].items[i])) {
        /* A click on the selected item acts on it, so everything works by mouse alone. */
        if (b->sel[b->page] == i) {
            item_enter(b);
        }
        b->sel[b->page] = i;
    }
}

void sk_bios_mouse(struct sk_bios *bios, uint8_t buttons, uint16_t x, uint16_t y, int8_t wheel)
{
    bios->pointer_shown = 1;
    bios->pointer_col = SK_MIN((int)x, 32767) * SK_TEXT_COLS / 32768;
    bios->pointer_row = SK_MIN((int)y, 32767) * SK_TEXT_ROWS / 32768;
    int pressed = (buttons & 0x01) && !(bios->buttons & 0x01);
    bios->buttons = buttons;
    if (bios->mode != SK_BIOS_SETUP) {
        return;
    }
    if (pressed) {
        click(bios, bios->pointer_row, bios->pointer_col);
    }
    if (wheel != 0 && bios->dialog.action == 0 && !bios->edit.active) {
        move_selection(bios, wheel > 0 ? -1 : +1);
    }
}
