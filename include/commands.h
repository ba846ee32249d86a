/* commands.h: the subcommands of tshoot; each parses its own options and
 * returns the process exit status of DESIGN.md (0 healthy, 1 problem found,
 * 2 usage or bad input, 3 environment). */
#ifndef TSHOOT_COMMANDS_H
#define TSHOOT_COMMANDS_H

int cmd_wizard(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_playbooks(int argc, char **argv);
int cmd_new_playbook(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
