package main

import (
	"context"
	"errors"
)

var errNotYet = errors.New("not implemented yet")

func cmdBackfill(context.Context, *env, []string) error  { return errNotYet }
func cmdEval(context.Context, *env, []string) error      { return errNotYet }
func cmdReport(context.Context, *env, []string) error    { return errNotYet }
