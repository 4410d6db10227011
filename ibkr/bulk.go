package ibkr

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// Bulk requests: several instructions of one type in one request (the
// :bulk operations). Each item is the very request the single call sends
// (an ACHDeposit, a CashTransfer, a Cancellation ...), validated the same
// way, with its own clientInstructionId, journaled on its own and
// reconciled on its own: when the answer is lost, every item is looked up
// by its id and only the items IBKR never received are sent again, with
// their same ids (see bulk_send.go).

// BulkResult is the outcome of a bulk request, item by item.
type BulkResult struct {
	// InstructionSetID is the instruction set IBKR answered with (the
	// first answer read; items sent again after a lost answer carry their
	// own set in Instruction.InstructionSetID). Zero when no answer was
	// read.
	InstructionSetID ID
	// Items holds one result per item, in the order of the request.
	Items []BulkItem
}

// BulkItem is what became of one instruction of a bulk request.
type BulkItem struct {
	// ClientInstructionID is the item's id (allocated when the item had
	// none): look the item up with it later.
	ClientInstructionID ID
	// Instruction is IBKR's account of the item (ids, type, status, and
	// for a REJECTED one the error code), when known.
	Instruction *Instruction
	// Err is nil when IBKR accepted the item. Otherwise it is a
	// *RejectedError (IBKR rejected the item, errors.Is ErrRejected), a
	// *CollisionError (IBKR holds another instruction under the id), an
	// *APIError or *RequestError (the whole request was refused or never
	// sent), or an *OutcomeUnknownError (the item may or may not have
	// taken effect: look it up by its id, or send it again with its id
	// and WithResume; never with a new id).
	Err error
	// Resent reports that IBKR had not received the item when an answer
	// was lost, and it was sent again with its same id.
	Resent bool
}

// Unknown returns the ids of the items whose outcome is unknown.
func (r *BulkResult) Unknown() []ID {
	var out []ID
	for _, it := range r.Items {
		if errors.Is(it.Err, ErrOutcomeUnknown) {
			out = append(out, it.ClientInstructionID)
		}
	}
	return out
}

// Accepted reports how many items IBKR accepted.
func (r *BulkResult) Accepted() int {
	n := 0
	for _, it := range r.Items {
		if it.Err == nil && it.Instruction != nil {
			n++
		}
	}
	return n
}

// bulkItem is an item of a bulk request: a single-instruction request
// type, validated and described as its single call sends it.
type bulkItem interface {
	instruction(now time.Time) (instructionCall, error)
}

// BankInstructionItem is one instruction of BulkBankInstructions: a
// BankAccountLink, MicroDepositVerification, BankInstructionDeletion,
// WireDestination or EDDAInstruction. All items of one request must be of
// one type.
type BankInstructionItem interface {
	bulkItem
	bankInstructionItem()
}

// ExternalCashItem is one instruction of BulkExternalCashTransfers: an
// ACHDeposit, WireDeposit, EDDADeposit or OpenBankingDeposit (DEPOSIT),
// or a Withdrawal (WITHDRAWAL). All items of one request must be
// deposits, or all withdrawals.
type ExternalCashItem interface {
	bulkItem
	externalCashItem()
}

// ExternalAssetItem is one instruction of BulkExternalAssetTransfers: an
// AccountTransfer (EXTERNAL_POSITION_TRANSFER, by ACATS or ATON), an
// FOPTransfer, a DWACTransfer or a ComplexAssetTransfer. All items of one
// request must be of one type.
type ExternalAssetItem interface {
	bulkItem
	externalAssetItem()
}

func (BankAccountLink) bankInstructionItem()          {}
func (MicroDepositVerification) bankInstructionItem() {}
func (BankInstructionDeletion) bankInstructionItem()  {}
func (WireDestination) bankInstructionItem()          {}
func (EDDAInstruction) bankInstructionItem()          {}
func (ACHDeposit) externalCashItem()                  {}
func (WireDeposit) externalCashItem()                 {}
func (Withdrawal) externalCashItem()                  {}
func (EDDADeposit) externalCashItem()                 {}
func (OpenBankingDeposit) externalCashItem()          {}
func (AccountTransfer) externalAssetItem()            {}
func (FOPTransfer) externalAssetItem()                {}
func (DWACTransfer) externalAssetItem()               {}
func (ComplexAssetTransfer) externalAssetItem()       {}

// The bulk operations.
var (
	opBulkBank          = jsonOp(optable.OpBulkBankInstructions, gen.NewBulkBankInstructionsRequestWithBody)
	opBulkExternalCash  = jsonOp(optable.OpBulkExternalCashTransfers, gen.NewBulkExternalCashTransfersRequestWithBody)
	opBulkInternalCash  = jsonOp(optable.OpBulkInternalCashTransfers, gen.NewBulkInternalCashTransfersRequestWithBody)
	opBulkCancel        = jsonOp(optable.OpBulkInstructionsCancel, gen.NewBulkInstructionsCancelRequestWithBody)
	opBulkExternalAsset = jsonOp(optable.OpBulkExternalAssetTransfers, gen.NewBulkExternalAssetTransfersRequestWithBody)
	opBulkInternalAsset = jsonOp(optable.OpBulkInternalAssetTransfers, gen.NewBulkInternalAssetTransfersRequestWithBody)
)

// bulkOps finds a bulk operation by operationId (ReconcileJournal replays
// journaled bulk items through it).
var bulkOps = map[string]instructionOp{}

func init() {
	for _, op := range []instructionOp{opBulkBank, opBulkExternalCash, opBulkInternalCash, opBulkCancel, opBulkExternalAsset, opBulkInternalAsset} {
		bulkOps[op.op.ID] = op
	}
}

// BulkBankInstructions submits several bank instructions of one type in
// one request (POST /gw/api/v1/bank-instructions:bulk). Every item is
// validated before anything is sent; an invalid one is an *InputError
// naming it ("instructions[3].bankRoutingNumber"). The result has one
// BulkItem per item, in order; the error is nil when every item's outcome
// is known (a rejected item carries its rejection in BulkItem.Err), an
// *OutcomeUnknownError naming the items whose outcome stays unknown, or
// the refusal of the whole request.
func (c *Client) BulkBankInstructions(ctx context.Context, items []BankInstructionItem, opts ...CallOption) (*BulkResult, error) {
	return bulkOf(ctx, c, opBulkBank, items, opts)
}

// BulkExternalCashTransfers submits several deposits, or several
// withdrawals, in one request (POST
// /gw/api/v1/external-cash-transfers:bulk). Validation, results and
// errors are as in BulkBankInstructions; each item is exactly-once on its
// own clientInstructionId.
func (c *Client) BulkExternalCashTransfers(ctx context.Context, items []ExternalCashItem, opts ...CallOption) (*BulkResult, error) {
	return bulkOf(ctx, c, opBulkExternalCash, items, opts)
}

// BulkInternalCashTransfers submits several internal cash transfers in
// one request (POST /gw/api/v1/internal-cash-transfers:bulk). Validation,
// results and errors are as in BulkBankInstructions.
func (c *Client) BulkInternalCashTransfers(ctx context.Context, items []CashTransfer, opts ...CallOption) (*BulkResult, error) {
	return bulkOf(ctx, c, opBulkInternalCash, items, opts)
}

// BulkCancelInstructions cancels several PENDING instructions in one
// request (POST /gw/api/v1/instructions/cancel:bulk). Validation, results
// and errors are as in BulkBankInstructions; an instruction that is no
// longer PENDING makes its item REJECTED.
func (c *Client) BulkCancelInstructions(ctx context.Context, items []Cancellation, opts ...CallOption) (*BulkResult, error) {
	return bulkOf(ctx, c, opBulkCancel, items, opts)
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

// bulkOf validates every item and describes it as its single call would,
// then hands the lot to sendBulk.
func bulkOf[T bulkItem](ctx context.Context, c *Client, op instructionOp, items []T, opts []CallOption) (*BulkResult, error) {
	if len(items) == 0 {
		return nil, invalid("instructions", "must hold at least one instruction")
	}
	now := c.clock.Now()
	ics := make([]instructionCall, len(items))
	for i, it := range items {
		if any(it) == nil {
			return nil, invalid(itemField(i, ""), "is nil")
		}
		ic, err := it.instruction(now)
		if err != nil {
			return nil, atItem(i, err)
		}
		if i > 0 && ic.itype != ics[0].itype {
			return nil, invalid("instructionType", "%s is a %s, %s a %s: one bulk request carries one instruction type",
				itemField(i, ""), ic.itype, itemField(0, ""), ics[0].itype)
		}
		ics[i] = ic
	}
	return c.sendBulk(ctx, op, ics, opts)
}

// itemField names a field of the i-th item of a bulk body.
func itemField(i int, field string) string {
	s := "instructions[" + strconv.Itoa(i) + "]"
	if field != "" {
		s += "." + field
	}
	return s
}

// atItem renames the field of an *InputError to the item's place in the
// bulk body: "amount" of item 3 becomes "instructions[3].amount".
func atItem(i int, err error) error {
	var ie *InputError
	if !errors.As(err, &ie) {
		return err
	}
	cp := *ie
	cp.Field = itemField(i, ie.Field)
	return &cp
}
