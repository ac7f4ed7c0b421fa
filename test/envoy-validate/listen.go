package main

import (
	"fmt"
	"net/netip"

	bootstrap "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
)

// listenAddressProblem checks what Envoy checks only when it binds, which the API definitions
// leave to a string: every listener address (the primary one and each additional one, as the
// dual-stack bootstrap adds "::") is an IP literal, and no listener names one address and port
// twice. Either passes protojson and protoc-gen-validate, then stops Envoy at start.
func listenAddressProblem(config *bootstrap.Bootstrap) error {
	for _, listener := range config.GetStaticResources().GetListeners() {
		addresses := []*core.Address{listener.GetAddress()}
		for _, additional := range listener.GetAdditionalAddresses() {
			addresses = append(addresses, additional.GetAddress())
		}
		seen := map[string]bool{}
		for _, address := range addresses {
			socket := address.GetSocketAddress()
			ip, err := netip.ParseAddr(socket.GetAddress())
			if err != nil {
				return fmt.Errorf("listener %s: address %q is not an IP literal", listener.GetName(), socket.GetAddress())
			}
			key := netip.AddrPortFrom(ip, uint16(socket.GetPortValue())).String()
			if seen[key] {
				return fmt.Errorf("listener %s: %s named twice", listener.GetName(), key)
			}
			seen[key] = true
		}
	}
	return nil
}
