package ibkr

import (
	"testing"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// The public group names are spelled out (go doc shows no internal
// package) and must stay those of the operation table.
func TestMaintenanceGroupsMatchTheTable(t *testing.T) {
	if MaintenanceAccounts != optable.MaintenanceAccounts || MaintenanceBanking != optable.MaintenanceBanking {
		t.Fatalf("groups %q %q, table %q %q", MaintenanceAccounts, MaintenanceBanking, optable.MaintenanceAccounts, optable.MaintenanceBanking)
	}
}
