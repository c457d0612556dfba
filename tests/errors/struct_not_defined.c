struct hidden;
