/** The sizes of the benchmark graphs, shared by both frameworks. */
export const LINEAR_LENGTH = 100
export const FAN_OUT_WIDTH = 50
