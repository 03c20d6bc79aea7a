/*
 * mcp: `ssh kvm@HOST mcp`, a Model Context Protocol server on the exec channel's standard
 * input and output (the stdio transport: one JSON-RPC message a line), whose tools are the
 * script commands of src/cmd/: an MCP client configured with the command `ssh` and the
 * arguments `kvm@HOST mcp` drives the KVM with the ssh key's role and audit.
 */
#ifndef SK_MCP_H
#define SK_MCP_H

struct sk_app;
struct sk_cmd_io;

/* The protocol revision this server speaks by preference (it also speaks the older ones). */
#define SK_MCP_PROTOCOL "2025-11-25"

/*
 * Serve one client on io until its input ends or it goes. Returns the exit status (0 when the
 * client ended its input, 1 when it went or the input was broken off).
 */
int sk_mcp_run(struct sk_app *app, const struct sk_cmd_io *io);

#endif
