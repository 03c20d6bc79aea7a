/*
 * ssh_rawuser: log in to an ssh server with any bytes as the user name,
 * newlines and escapes included (OpenSSH's client refuses such names), then
 * run one command. For the tests that a name from the network cannot forge
 * log or audit lines.
 *   ssh_rawuser PORT KEYFILE USER COMMAND   (USER and COMMAND taken as they are)
 *   ssh_rawuser PORT KEYFILE USER COMMAND KEYS
 * With KEYS: a pty is asked for, and once the first line has come (a
 * serial terminal's banner) a break request (RFC 4335) is sent, as a client
 * other than OpenSSH (PuTTY's Break, its winadj) sends requests libssh's
 * server does not know; a second later KEYS are typed.
 * Exit 0 when the command ran, 1 when the login was refused, 2 on other errors.
 */
#include <libssh/libssh.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: ssh_rawuser PORT KEYFILE USER COMMAND [KEYS]\n");
        return 2;
    }
    ssh_session s = ssh_new();
    int port = atoi(argv[1]);
    ssh_options_set(s, SSH_OPTIONS_HOST, "127.0.0.1");
    ssh_options_set(s, SSH_OPTIONS_PORT, &port);
    ssh_options_set(s, SSH_OPTIONS_USER, argv[3]);
    if (ssh_connect(s) != SSH_OK) {
        fprintf(stderr, "connect: %s\n", ssh_get_error(s));
        ssh_free(s);
        return 2;
    }
    ssh_key key = NULL;
    int rc = 1;
    if (ssh_pki_import_privkey_file(argv[2], NULL, NULL, NULL, &key) == SSH_OK &&
        ssh_userauth_publickey(s, NULL, key) == SSH_AUTH_SUCCESS) {
        ssh_channel ch = ssh_channel_new(s);
        rc = 2;
        if (ch != NULL && ssh_channel_open_session(ch) == SSH_OK &&
            (argc == 5 || ssh_channel_request_pty(ch) == SSH_OK) &&
            ssh_channel_request_exec(ch, argv[4]) == SSH_OK) {
            char buf[4096];
            int n;
            if (argc == 6) {
                /* The banner's line, then the break, then a second's output, then the keys. */
                int seen = 0;
                while (!seen &&
                       (n = ssh_channel_read_timeout(ch, buf, sizeof(buf), 0, 10000)) > 0) {
                    fwrite(buf, 1, (size_t)n, stdout);
                    seen = memchr(buf, '\n', (size_t)n) != NULL;
                }
                ssh_channel_request_send_break(ch, 100);
                while ((n = ssh_channel_read_timeout(ch, buf, sizeof(buf), 0, 1000)) > 0) {
                    fwrite(buf, 1, (size_t)n, stdout);
                }
                ssh_channel_write(ch, argv[5], (uint32_t)strlen(argv[5]));
            }
            while ((n = ssh_channel_read(ch, buf, sizeof(buf), 0)) > 0) {
                fwrite(buf, 1, (size_t)n, stdout);
            }
            rc = 0;
        }
        ssh_channel_free(ch);
    }
    ssh_key_free(key);
    ssh_disconnect(s);
    ssh_free(s);
    return rc;
}
