// Package wire holds the two exact value types that IBKR's JSON carries as
// plain numbers: [Decimal] for money and other fractional quantities, and
// [ID] for instruction, request and account-related identifiers.
//
// Both encode as bare JSON numbers, byte for byte as they were read, and
// neither ever passes through a binary floating-point value. The generated
// code in package gen and the facade in package ibkr use them; package ibkr
// re-exports them as ibkr.Decimal and ibkr.ID.
package wire
