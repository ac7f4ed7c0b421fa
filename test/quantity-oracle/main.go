// Command quantity-oracle writes what Kubernetes' own ParseQuantity makes of a corpus of quantity
// strings, so that the TypeScript parser is tested against apimachinery rather than against our
// reading of it. Regenerate with: cd test/quantity-oracle && go run . > ../fixtures/quantities.json
package main

import (
	"encoding/json"
	"math/big"
	"os"

	"k8s.io/apimachinery/pkg/api/resource"
)

type verdict struct {
	Text string `json:"text"`
	// Nanos is the parsed value in nano-units as a decimal string; absent when Kubernetes refuses.
	Nanos *string `json:"nanos,omitempty"`
}

func corpus() []string {
	texts := []string{
		"", "0", "+", "-", ".", "+.", "m", "Ki", "1E", "1Ei", "2Ei", "8Ei", "-8Ei", "1e400", "1e-400",
		"0.5000000000000000001", "1.5Gi", "+1", "1e-10", "0.9n", "1.1n", "500m", "1.", "1.G", ".5",
		"1e4294967296", "1e4294967297", "1e1000", "1e1001", "1e-1000", "1e-1001", "1 Gi", " 1", "1GiB", "0x10", "12mi", "1e",
		"1E+", "1e1.5", "Infinity", "NaN", "1_000", "١", "1e0000000000000000000003", "00000.000001",
		"18446744073709551616", "9223372036854775807Ei", "1024Ei", "0.001Ki", "0.0000000001Ki",
	}
	signs := []string{"", "+", "-"}
	wholes := []string{"", "0", "1", "007", "12345678901234567890"}
	fractions := []string{"", ".", ".5", ".000000001", ".0000000001", ".999999999999"}
	suffixes := []string{"", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
		"e3", "E-3", "e+2", "e-12", "e30", "K", "mi", "e", "i", "KiB"}
	seen := map[string]bool{}
	for _, text := range texts {
		seen[text] = true
	}
	for _, sign := range signs {
		for _, whole := range wholes {
			for _, fraction := range fractions {
				for _, suffix := range suffixes {
					if text := sign + whole + fraction + suffix; !seen[text] {
						seen[text] = true
						texts = append(texts, text)
					}
				}
			}
		}
	}
	return texts
}

func nanos(q resource.Quantity) string {
	dec := q.AsDec()
	if dec.Sign() == 0 {
		return "0" // zero is never rounded, so it may keep any scale
	}
	value := new(big.Int).Set(dec.UnscaledBig())
	shift := 9 - int64(dec.Scale())
	if shift < 0 {
		panic("parsed quantity finer than a nano-unit: " + q.String())
	}
	value.Mul(value, new(big.Int).Exp(big.NewInt(10), big.NewInt(shift), nil))
	return value.String()
}

func main() {
	verdicts := []verdict{}
	for _, text := range corpus() {
		v := verdict{Text: text}
		if q, err := resource.ParseQuantity(text); err == nil {
			n := nanos(q)
			v.Nanos = &n
		}
		verdicts = append(verdicts, v)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(verdicts); err != nil {
		panic(err)
	}
}
