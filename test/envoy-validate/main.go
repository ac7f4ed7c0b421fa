// Validates Envoy bootstrap documents against Envoy's own API definitions, at the API version of
// the image the proxy template ships (go-control-plane/envoy v1.32.3 <-> envoyproxy/envoy:v1.32.3).
//
// What this checks, and what it cannot: every field name and type (protojson rejects unknown
// fields), every enum value, every typed_config (@type resolved and its content decoded and
// checked the same way), and every protoc-gen-validate rule Envoy declares (required fields,
// port ranges, non-empty names, durations ...), and that every listener address is an IP
// literal named once (listen.go). It does not run Envoy: cross-references (a listener naming an
// undefined cluster) and other runtime checks are not covered here.
//
// Input: one JSON document per line on stdin. Output: "ok" or the problems, one line each; exit 1
// when any document is invalid.
package main

import (
	"bufio"
	"fmt"
	"os"

	bootstrap "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/original_dst/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

type validator interface{ ValidateAll() error }

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 0, 1<<20), 16<<20)
	failed := false
	for line := 1; scanner.Scan(); line++ {
		if err := validate(scanner.Bytes()); err != nil {
			fmt.Printf("document %d: %v\n", line, err)
			failed = true
		} else {
			fmt.Printf("document %d: ok\n", line)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func validate(document []byte) error {
	var config bootstrap.Bootstrap
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(document, &config); err != nil {
		return err
	}
	if err := validateMessage(&config); err != nil {
		return err
	}
	return listenAddressProblem(&config)
}

// validateMessage runs the message's own rules, then those of every Any inside it, which
// protoc-gen-validate leaves unchecked.
func validateMessage(message proto.Message) error {
	if v, ok := message.(validator); ok {
		if err := v.ValidateAll(); err != nil {
			return err
		}
	}
	var problem error
	walk(message.ProtoReflect(), func(any *anypb.Any) {
		if problem != nil {
			return
		}
		inner, err := any.UnmarshalNew()
		if err != nil {
			problem = fmt.Errorf("%s: %w", any.GetTypeUrl(), err)
			return
		}
		if err := validateMessage(inner); err != nil {
			problem = fmt.Errorf("%s: %w", any.GetTypeUrl(), err)
		}
	})
	return problem
}

func walk(message protoreflect.Message, visit func(*anypb.Any)) {
	message.Range(func(field protoreflect.FieldDescriptor, value protoreflect.Value) bool {
		switch {
		case field.IsList() && field.Message() != nil:
			list := value.List()
			for i := 0; i < list.Len(); i++ {
				visitOrWalk(list.Get(i).Message(), visit)
			}
		case field.IsMap() && field.MapValue().Message() != nil:
			value.Map().Range(func(_ protoreflect.MapKey, entry protoreflect.Value) bool {
				visitOrWalk(entry.Message(), visit)
				return true
			})
		case !field.IsList() && !field.IsMap() && field.Message() != nil:
			visitOrWalk(value.Message(), visit)
		}
		return true
	})
}

func visitOrWalk(message protoreflect.Message, visit func(*anypb.Any)) {
	if any, ok := message.Interface().(*anypb.Any); ok {
		visit(any)
		return
	}
	walk(message, visit)
}
