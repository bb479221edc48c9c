//go:build linux && desktop && !dev

package app

/*
#cgo pkg-config: gtk+-3.0
#cgo !webkit2_41 pkg-config: webkit2gtk-4.0
#cgo webkit2_41 pkg-config: webkit2gtk-4.1

#include <stdio.h>
#include <string.h>
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

// The app's own origin: Wails serves the frontend from wails://wails/.
static gboolean sv_is_app_uri(const char *uri) {
	return uri != NULL && (g_str_has_prefix(uri, "wails://wails/") || strcmp(uri, "about:blank") == 0);
}

// Logs where a refused navigation was going: scheme, host and port only, so
// a token in a path or query never reaches the log.
static void sv_log_blocked(const char *what, const char *uri) {
	GUri *u = uri == NULL ? NULL : g_uri_parse(uri, G_URI_FLAGS_NONE, NULL);
	if (u == NULL) {
		fprintf(stderr, "sharedvault: blocked %s to an unparsable address\n", what);
		return;
	}
	const char *host = g_uri_get_host(u);
	int port = g_uri_get_port(u);
	if (port > 0) {
		fprintf(stderr, "sharedvault: blocked %s to %s://%s:%d\n", what, g_uri_get_scheme(u), host ? host : "", port);
	} else {
		fprintf(stderr, "sharedvault: blocked %s to %s://%s\n", what, g_uri_get_scheme(u), host ? host : "");
	}
	g_uri_unref(u);
}

// decide-policy: a navigation (top level or frame) stays on the app's
// origin; a new window is never opened. Responses are not navigations.
static gboolean sv_decide_policy(WebKitWebView *view, WebKitPolicyDecision *decision, WebKitPolicyDecisionType type, gpointer data) {
	if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE) {
		return FALSE;
	}
	WebKitNavigationAction *action = webkit_navigation_policy_decision_get_navigation_action(WEBKIT_NAVIGATION_POLICY_DECISION(decision));
	const char *uri = webkit_uri_request_get_uri(webkit_navigation_action_get_request(action));
	if (type == WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION && sv_is_app_uri(uri)) {
		return FALSE;
	}
	webkit_policy_decision_ignore(decision);
	sv_log_blocked(type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION ? "a new window" : "navigation", uri);
	return TRUE;
}

static int sv_guard_widget(GtkWidget *w) {
	int n = 0;
	if (WEBKIT_IS_WEB_VIEW(w)) {
		if (g_object_get_data(G_OBJECT(w), "sharedvault-guard") == NULL) {
			g_signal_connect(w, "decide-policy", G_CALLBACK(sv_decide_policy), NULL);
			g_object_set_data(G_OBJECT(w), "sharedvault-guard", GINT_TO_POINTER(1));
		}
		return 1;
	}
	if (GTK_IS_CONTAINER(w)) {
		GList *children = gtk_container_get_children(GTK_CONTAINER(w));
		for (GList *c = children; c != NULL; c = c->next) {
			n += sv_guard_widget(GTK_WIDGET(c->data));
		}
		g_list_free(children);
	}
	return n;
}

static int sv_tries = 0;

// Runs on the GTK main thread: finds Wails' web view among the toplevel
// windows and connects the guard; retries until the view exists.
static gboolean sv_install_guard(gpointer data) {
	int n = 0;
	GList *tops = gtk_window_list_toplevels();
	for (GList *t = tops; t != NULL; t = t->next) {
		n += sv_guard_widget(GTK_WIDGET(t->data));
	}
	g_list_free(tops);
	if (n > 0) {
		return G_SOURCE_REMOVE;
	}
	if (++sv_tries >= 200) {
		fprintf(stderr, "sharedvault: error: no web view found to guard navigation\n");
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static void sv_guard_navigation(void) {
	g_timeout_add(10, sv_install_guard, NULL);
}
*/
import "C"

// guardNavigation keeps the window on the app's origin: Wails v2.9.2 on
// Linux lets WebKit navigate anywhere (it has no decide-policy handler), so
// this connects one to the web view Wails created. The frontend's link guard
// and the CSP cover the page; this covers what a page cannot forbid itself
// (location assignments, dropped links).
func guardNavigation() { C.sv_guard_navigation() }
