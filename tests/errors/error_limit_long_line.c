enum big { X };
