package ibkr

import (
	"context"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// ExternalAssetItem is one instruction of BulkExternalAssetTransfers: an
// AccountTransfer (EXTERNAL_POSITION_TRANSFER, by ACATS or ATON), an
// FOPTransfer, a DWACTransfer or a ComplexAssetTransfer. All items of one
// request must be of one type.
type ExternalAssetItem interface {
	bulkItem
	externalAssetItem()
}

func (AccountTransfer) externalAssetItem()      {}
func (FOPTransfer) externalAssetItem()          {}
func (DWACTransfer) externalAssetItem()         {}
func (ComplexAssetTransfer) externalAssetItem() {}

// The bulk position-transfer operations.
var (
	opBulkExternalAsset = jsonOp(optable.OpBulkExternalAssetTransfers, gen.NewBulkExternalAssetTransfersRequestWithBody)
	opBulkInternalAsset = jsonOp(optable.OpBulkInternalAssetTransfers, gen.NewBulkInternalAssetTransfersRequestWithBody)
)

func init() {
	for _, op := range []instructionOp{opBulkExternalAsset, opBulkInternalAsset} {
		bulkOps[op.op.ID] = op
	}
}

// BulkExternalAssetTransfers submits several external position transfers
// of one type in one request (POST
// /gw/api/v1/external-asset-transfers:bulk). Validation, results and
// errors are as in BulkBankInstructions; each item is exactly-once on its
// own clientInstructionId.
func (c *Client) BulkExternalAssetTransfers(ctx context.Context, items []ExternalAssetItem, opts ...CallOption) (*BulkResult, error) {
	return bulkOf(ctx, c, opBulkExternalAsset, items, opts)
}

// BulkInternalAssetTransfers submits several internal position transfers
// in one request (POST /gw/api/v1/internal-asset-transfers:bulk).
// Validation, results and errors are as in BulkBankInstructions.
func (c *Client) BulkInternalAssetTransfers(ctx context.Context, items []PositionTransfer, opts ...CallOption) (*BulkResult, error) {
	return bulkOf(ctx, c, opBulkInternalAsset, items, opts)
}
