package ibkr

import "github.com/ibkrweb/ibkr-go/wire"

// InstructionID is IBKR's own id of an instruction, a type distinct from
// ID (the clientInstructionId) so that the two cannot be swapped; see
// wire.InstructionID. Make one with InstructionID{ID: id}.
type InstructionID = wire.InstructionID
