package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"syscall"
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
	// ErrBackOff is returned when a host asked to be left alone (429/503 with Retry-After) and the wait is not over.
	ErrBackOff = errors.New("crawler: host backing off")
	// ErrNoContent is returned by Extract when a page has no article text.
	ErrNoContent = errors.New("crawler: no article content")
)

// httpStatusError is a non-success HTTP status.
type httpStatusError struct{ status int }

func (e *httpStatusError) Error() string { return "http status " + itoa(e.status) }

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
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recErr tls.RecordHeaderError
	switch {
	case errors.Is(err, ErrBlockedAddress):
		return "blocked_private"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrTooManyRedirects):
		return "redirects"
	case errors.Is(err, ErrRobotsDisallowed):
		return "robots"
	case errors.Is(err, ErrBackOff):
		return "backoff"
	case errors.Is(err, ErrNoContent):
		return "no_content"
	case errors.Is(err, ErrExtractLimit):
		return "extract_limit"
	case errors.As(err, &se):
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
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &recErr):
		return "tls"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	default:
		return "other"
	}
}

// statusClass maps an HTTP status (0 for none) to the bounded status_class label.
func statusClass(status int) string {
	switch {
	case status == 0:
		return "error"
	case status < 200:
		return "1xx"
	case status < 300:
		return "2xx"
	case status < 400:
		return "3xx"
	case status < 500:
		return "4xx"
	default:
		return "5xx"
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
