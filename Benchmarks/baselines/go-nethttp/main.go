// The seed's Go design, as a baseline: net/http, a maintenance flag in an atomic.Bool flipped
// by SIGUSR1/SIGUSR2, and a middleware in front of every route that answers 503 with the same
// headers and page as eventserver. Run with GOMAXPROCS=1 to compare one core with one core.
//
//	go-nethttp PORT PAGE_FILE
package main

import (
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

var maintenance atomic.Bool

func gate(page []byte, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if maintenance.Load() {
			h := w.Header()
			h.Set("Retry-After", "300")
			h.Set("Cache-Control", "no-store")
			h.Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write(page)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func main() {
	if len(os.Args) < 3 {
		log.Fatal("usage: go-nethttp PORT PAGE_FILE")
	}
	page, err := os.ReadFile(os.Args[2])
	if err != nil {
		log.Fatal(err)
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		for s := range signals {
			maintenance.Store(s == syscall.SIGUSR1)
		}
	}()
	greeting := []byte("Hello from eventserver\n")
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(greeting)
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], gate(page, mux)))
}
