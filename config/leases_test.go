package config

import (
	"testing"
	"time"
)

// TestLeaseSettings: the lease and sweep times parse as durations, a
// renewal defaults to a third of a lease set alone, and a renewal that
// would let a live worker's lease lapse stops start-up.
func TestLeaseSettings(t *testing.T) {
	tests := []struct {
		name              string
		over              map[string]string
		renew, ttl, sweep time.Duration
		wantErr           string
	}{
		{name: "defaults", over: nil},
		{name: "all set", over: map[string]string{"LIFEOS_LEASE_RENEW": "300ms", "LIFEOS_LEASE_TTL": "1s", "LIFEOS_SWEEP_INTERVAL": "500ms"},
			renew: 300 * time.Millisecond, ttl: time.Second, sweep: 500 * time.Millisecond},
		{name: "ttl alone", over: map[string]string{"LIFEOS_LEASE_TTL": "3s"}, renew: time.Second, ttl: 3 * time.Second},
		{name: "renew too slow", over: map[string]string{"LIFEOS_LEASE_RENEW": "2s", "LIFEOS_LEASE_TTL": "3s"}, wantErr: "LIFEOS_LEASE_RENEW"},
		{name: "not a duration", over: map[string]string{"LIFEOS_SWEEP_INTERVAL": "15"}, wantErr: "LIFEOS_SWEEP_INTERVAL"},
		{name: "too short", over: map[string]string{"LIFEOS_LEASE_TTL": "1ms"}, wantErr: "LIFEOS_LEASE_TTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(testEnv(t, tt.over))
			if tt.wantErr != "" {
				if e, ok := err.(*Error); !ok || e.Name != tt.wantErr {
					t.Fatalf("err = %v; want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.LeaseRenew != tt.renew || c.LeaseTTL != tt.ttl || c.SweepInterval != tt.sweep {
				t.Errorf("renew, ttl, sweep = %s, %s, %s; want %s, %s, %s", c.LeaseRenew, c.LeaseTTL, c.SweepInterval, tt.renew, tt.ttl, tt.sweep)
			}
		})
	}
}
