package wire

// InstructionID is IBKR's own id of an instruction (instructionId in
// IBKR's answers), assigned when IBKR accepts a request. It is a type of
// its own so that it cannot be passed where a clientInstructionId (an ID,
// chosen by the client before sending) is expected, or the other way
// round: both are whole numbers on the wire, and mixing them up would look
// up, cancel or verify the wrong instruction.
//
// The id is the embedded ID: String, IsZero and the JSON encoding are its.
type InstructionID struct{ ID }
