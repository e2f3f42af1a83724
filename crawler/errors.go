package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// Sentinel errors callers may branch on with errors.Is.
var (
	// ErrBlockedAddress is returned when a host resolves only to addresses the SSRF guard refuses.
	ErrBlockedAddress = errors.New("crawler: blocked address")
	// ErrTooLarge is returned when a response body exceeds the configured cap after decompression.
	ErrTooLarge = errors.New("crawler: response body too large")
	// ErrTooManyRedirects is returned when a fetch follows more redirects than allowed.
	ErrTooManyRedirects = errors.New("crawler: too many redirects")
	// ErrRobotsDisallowed is returned when robots.txt forbids fetching a URL.
	ErrRobotsDisallowed = errors.New("crawler: disallowed by robots.txt")
	// ErrBackOff matches every *BackOffError under errors.Is; errors.As gives its wait.
	ErrBackOff = errors.New("crawler: host backing off")
	// ErrNoContent is returned by Extract when a page has no article text.
	ErrNoContent = errors.New("crawler: no article content")
)

// BackOffError reports a fetch refused or answered with 429/503 because its host asked to
// be left alone: the host may be contacted again after Wait (from when the error was
// made). Err is the host's answer that started the wait (an HTTP status error); nil when
// the fetch was not sent because an earlier wait is not over. errors.Is(err, ErrBackOff)
// holds for it.
type BackOffError struct {
	Host string
	Wait time.Duration
	Err  error
}

// Error says which host backs off and for how long.
func (e *BackOffError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%v: %s backing off for %s", e.Err, e.Host, e.Wait.Round(time.Second))
	}
	return fmt.Sprintf("crawler: %s backing off for %s more", e.Host, e.Wait.Round(time.Second))
}

// Unwrap returns the answer that started the wait.
func (e *BackOffError) Unwrap() error { return e.Err }

// Is reports whether target is ErrBackOff.
func (e *BackOffError) Is(target error) bool { return target == ErrBackOff }

// httpStatusError is a non-success HTTP status.
type httpStatusError struct{ status int }

func (e *httpStatusError) Error() string { return "http status " + strconv.Itoa(e.status) }

// parseError marks a body that could not be parsed as the expected format.
type parseError struct{ err error }

func (e *parseError) Error() string { return "parse: " + e.err.Error() }
func (e *parseError) Unwrap() error { return e.err }

// errorClass maps an error to the bounded error_class label used in metrics and Fetch records.
func errorClass(err error) string {
	if err == nil {
		return ""
	}
	var se *httpStatusError
	var pe *parseError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, ErrBlockedAddress):
		return "blocked_private"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrTooManyRedirects):
		return "redirects"
	case errors.Is(err, ErrRobotsDisallowed):
		return "robots"
	case errors.As(err, &se): // before ErrBackOff: a 429 or 503 answer keeps its class
		switch {
		case se.status == 429:
			return "http_429"
		case se.status >= 500:
			return "http_5xx"
		case se.status >= 400:
			return "http_4xx"
		default:
			return "http_other"
		}
	case errors.Is(err, ErrBackOff):
		return "backoff"
	case errors.Is(err, ErrNoContent):
		return "no_content"
	case errors.Is(err, ErrExtractLimit):
		return "extract_limit"
	case errors.As(err, &pe):
		return "parse"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &dnsErr):
		return "dns"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case isTLS(err):
		return "tls"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	default:
		return "other"
	}
}

// isTLS reports whether err is a failed TLS handshake or certificate check.
func isTLS(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recErr tls.RecordHeaderError
	return errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &recErr)
}

// transient reports whether an article failure may heal by itself (the host asked to
// wait, was unreachable, slow or failing with 429 or 5xx, or the fetch was cancelled):
// such articles are tried again on a later poll and keep their feed's old validators.
// A refusal by policy (guard, robots.txt, caps), a 4xx answer, a page that does not parse
// or has no article, and a TLS failure skip the article. It follows errorClass's order.
func transient(err error) bool {
	var se *httpStatusError
	switch {
	case errors.Is(err, ErrBlockedAddress), errors.Is(err, ErrTooLarge), errors.Is(err, ErrTooManyRedirects),
		errors.Is(err, ErrRobotsDisallowed):
		return false
	case errors.As(err, &se):
		return se.status == http.StatusTooManyRequests || se.status >= 500
	case errors.Is(err, ErrBackOff):
		return true
	case errors.Is(err, ErrNoContent), errors.Is(err, ErrExtractLimit), errors.As(err, new(*parseError)):
		return false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.As(err, new(*net.DNSError)),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return true
	default: // a TLS failure is the host's setup; anything else unknown may heal
		return !isTLS(err)
	}
}

// StatusClass is the bounded class of an HTTP status, as in the status_class metric label
// and column: "1xx" to "5xx", or "error" when no response arrived (status 0) or the status
// is out of range.
func StatusClass(status int) string {
	if status < 100 || status > 599 {
		return "error"
	}
	return strconv.Itoa(status/100) + "xx"
}
