package jobs

import (
	"testing"

	"github.com/riverqueue/river/rivershared/structtag"
)

// TestUniqueByDelivery checks that River sees the delivery ID as each job's
// unique key, so a redelivery is not queued twice (and nothing else, such
// as the time it was queued, makes two copies of one delivery differ).
func TestUniqueByDelivery(t *testing.T) {
	for _, j := range []Job{Run{}, Command{}, Review{}, CI{}, Closed{}} {
		fields, err := structtag.SortedFieldsWithTag(j, "unique")
		if err != nil {
			t.Fatalf("%s: %v", j.Kind(), err)
		}
		if len(fields) != 1 || fields[0] != "delivery_id" {
			t.Errorf("%s: unique fields %v, want [delivery_id]", j.Kind(), fields)
		}
		if !j.InsertOpts().UniqueOpts.ByArgs {
			t.Errorf("%s: not unique by args", j.Kind())
		}
	}
}
