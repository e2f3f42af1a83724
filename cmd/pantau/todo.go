package main

import (
	"context"
	"errors"
)

var errNotYet = errors.New("not implemented yet")

func cmdBackfill(context.Context, *env, []string) error { return errNotYet }
