// gorilla/websocket echo server on 127.0.0.1:PORT. Built offline from Debian's package:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o gorilla_echo gorilla_echo.go
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/gorilla/websocket"
)

var upgrader = websocket.Upgrader{}

func echo(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil) // answers the refusal itself when it fails
	if err != nil {
		log.Printf("upgrade refused: %v (%s)", err, r.Proto)
		return
	}
	defer conn.Close()
	for {
		kind, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if err := conn.WriteMessage(kind, data); err != nil {
			return
		}
	}
}

func main() {
	http.HandleFunc("/", echo)
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], nil))
}
